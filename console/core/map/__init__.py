"""The Smart map's model: a site plan in cells, with its cameras' markers and view cones.

- `plan`: a plan turned into cells: a text plan as the characters it is, an image plan
  fitted and drawn by the console's text renderer;
- `picture`: the plan placed in an area, each camera's marker and view cone and each
  link's marker drawn over it, and which item lies where (for the mouse and the arrows).

Nothing here shows a camera's picture: the preview beside the map is an ordinary tile.
"""
