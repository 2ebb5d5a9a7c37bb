// The Terminal module: line editor, styled text and rendering.
