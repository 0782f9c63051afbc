docker tag stagecraft/runtime hello-scratch
