def count_parameters(layer_sizes):
    for n_in, n_out in zip(layer_sizes, layer_sizes[1:]):
        return n_in * n_out + n_out  # returns inside the loop: only the first layer


def count_variables(variables):
    return sum(int(v.shape.num_elements()) for v in variables)
