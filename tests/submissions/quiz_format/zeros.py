import numpy as np
output = np.zeros((3, 2))
