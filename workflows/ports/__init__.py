"""The ports: the protocols the application needs of the world, and the values that cross them."""
