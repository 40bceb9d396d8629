def count_parameters(layer_sizes):
    return sum(a * b + b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))


def count_variables(variables):
    # Works for matrices and vectors only: a scalar variable has no shape[0].
    total = 0
    for v in variables:
        shape = v.get_shape().as_list()
        total += shape[0] * shape[1] if len(shape) == 2 else shape[0]
    return total
