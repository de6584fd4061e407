# Comments: '#' and '//' run to the end of the line, '/* ... */' may span
# lines. Layers written inside comments must not be elaborated.
# RUN: cscc summary %s | FileCheck %s
# Comment markers inside a string are part of the string.
# RUN: cscc --emit=ast %s | FileCheck %s --check-prefix=AST

// A line comment in C++ style: conv(99, 1);
model comments { # after a token
  input [1, 4, 4]; // after a statement
  /* a block comment
     relu;
     conv(99, 1); */
  conv(2, 1); /* inline */ relu;
  /**/ bn; /* several * stars ** inside */
  # conv(77, 1);
  // linear(55);
}

train { data = mnist("a//b#c/*d*/"); }  # the comment starts here

# CHECK:      model comments: input [1, 4, 4]
# CHECK-NEXT: # name kind output code params
# CHECK-NEXT: 0 conv0 conv [2, 4, 4] - 4{{$}}
# CHECK-NEXT: 1 relu1 relu [2, 4, 4] - 0{{$}}
# CHECK-NEXT: 2 bn2 bn [2, 4, 4] - 4{{$}}
# CHECK-NEXT: total parameters: 8{{$}}

# AST: data = mnist("a//b#c/*d*/")
