"""End-to-end tests: the real `veil` in tmux, in xterm under Xvfb, over SSH, under faults."""
