def count_parameters(layer_sizes):
    return sum(a * b + b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))


def count_variables(variables):
    total = 0
    for v in variables:
        total += sum(v.get_shape().as_list())
    return total
