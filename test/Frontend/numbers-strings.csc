# Numbers: integers and reals (0.1, 5e-4, 1., 2E1, 1.5e+1); a real with an
# integral value is accepted where an integer is needed. Strings take \" and
# \\ escapes (here in a data directory).
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc --emit=ast %s | FileCheck %s --check-prefix=AST

param a = 1.;
param b = 5e-4;
param c = 2E1;
param d = 0.25e1;
param e = 1.5e+1;
param f = 0.1;
param g = 007;

model numbers {
  input [1, 2, 2];
  conv(c, 1);          # 20 channels
  conv(e - 5, 1);      # 10
  conv(d * 2, 1, padding = g - 7);   # 5 channels, padding 0
}

train { data = mnist("dir \"q\" \\ x"); }

# CHECK: parameters: a=1 b=0.0005 c=20 d=2.5 e=15 f=0.1 g=7{{$}}
# CHECK: 0 conv0 conv [20, 2, 2] - 40{{$}}
# CHECK: 1 conv1 conv [10, 2, 2] - 210{{$}}
# CHECK: 2 conv2 conv [5, 2, 2] - 55{{$}}

# The tree keeps the spelling of each number.
# AST: Param a = 1. <7:7>
# AST: Param b = 5e-4 <8:7>
# AST: Param c = 2E1 <9:7>
# AST: Param d = 0.25e1 <10:7>
# AST: Param e = 1.5e+1 <11:7>
# AST: Param f = 0.1 <12:7>
# AST: Param g = 007 <13:7>
