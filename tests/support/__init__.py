"""What tests share beyond fixtures: helpers that play a visitor's or a browser's part."""
