# 'param NAME = EXPR;' declares a parameter with a default; later parameters
# may use earlier ones; the summary lists the values used.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc summary %s -D w=3 | FileCheck %s --check-prefix=W3
# RUN: cscc summary %s -D w=3 -D layers=1 | FileCheck %s --check-prefix=BOTH
# The attached form -Dname=value works too, and the value is an expression.
# RUN: cscc summary %s -Dw=1+1 | FileCheck %s --check-prefix=EXPR
# Overriding a derived parameter replaces its formula.
# RUN: cscc summary %s -D c=4 -D w=9 -D lr=0.25 | FileCheck %s --check-prefix=C4

param w = 2;
param layers = 2;
param c = 2 * w + 1;   # sees the override of w
param lr = 0.5;        # a real parameter

model params {
  input [1, 6, 6];
  for i in 0..layers { conv(c, 1); }
}

# CHECK:      parameters: w=2 layers=2 c=5 lr=0.5{{$}}
# 5*1+5 = 10, 5*5+5 = 30.
# CHECK:      0 conv0 conv [5, 6, 6] - 10{{$}}
# CHECK-NEXT: 1 conv1 conv [5, 6, 6] - 30{{$}}
# CHECK-NEXT: total parameters: 40{{$}}

# W3:      parameters: w=3 layers=2 c=7 lr=0.5{{$}}
# W3:      0 conv0 conv [7, 6, 6] - 14{{$}}
# W3-NEXT: 1 conv1 conv [7, 6, 6] - 56{{$}}
# W3-NEXT: total parameters: 70{{$}}

# BOTH:      parameters: w=3 layers=1 c=7 lr=0.5{{$}}
# BOTH:      0 conv0 conv [7, 6, 6] - 14{{$}}
# BOTH-NEXT: total parameters: 14{{$}}

# EXPR:      parameters: w=2 layers=2 c=5 lr=0.5{{$}}
# EXPR:      total parameters: 40{{$}}

# C4:      parameters: w=9 layers=2 c=4 lr=0.25{{$}}
# C4:      0 conv0 conv [4, 6, 6] - 8{{$}}
# C4-NEXT: 1 conv1 conv [4, 6, 6] - 20{{$}}
# C4-NEXT: total parameters: 28{{$}}
