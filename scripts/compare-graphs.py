#!/usr/bin/env python3
"""Node-for-node comparison of two ONNX graphs, e.g. the graph built here and timm's export of the same variant.

Walks both graphs in their stored order and prints each node whose operator, attributes (ONNX defaults filled in, so a
MaxPool that spells out ceil_mode=0 equals one that leaves it out) or constant input shapes differ (Constant nodes are
compared as the initializers they stand for), then a one-line summary.
Needs the onnx Python package (Debian's python3-onnx).

  scripts/compare-graphs.py OURS.onnx THEIRS.onnx
"""
import sys

import onnx
from onnx import helper

# Attribute values that mean the same as leaving the attribute out.
DEFAULTS = {'ceil_mode': 0, 'pads': [0, 0, 0, 0], 'dilations': [1, 1], 'group': 1, 'strides': [1, 1]}


def constants(model):
    """Shapes of the initializers and of Constant nodes' values (an exporter may write a Split's sizes either way)."""
    shapes = {i.name: tuple(i.dims) for i in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == 'Constant':
            shapes[node.output[0]] = tuple(helper.get_attribute_value(node.attribute[0]).dims)
    return shapes


def describe(node, shapes):
    attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    attributes = {k: v for k, v in attributes.items() if DEFAULTS.get(k) != v}
    return node.op_type, attributes, [shapes.get(name, 'activation') for name in node.input]


def main():
    ours, theirs = (onnx.load(path) for path in sys.argv[1:3])
    shapes = [constants(m) for m in (ours, theirs)]
    nodes = [[n for n in m.graph.node if n.op_type != 'Constant'] for m in (ours, theirs)]
    differences = 0
    for index, (a, b) in enumerate(zip(*nodes)):
        da, db = describe(a, shapes[0]), describe(b, shapes[1])
        if da != db:
            differences += 1
            print(f'node {index}:\n  {da}\n  {db}')
    print(f'{differences} differing nodes of {len(nodes[0])} and {len(nodes[1])}; '
          f'outputs {[o.name for o in ours.graph.output]} and {[o.name for o in theirs.graph.output]}')


if __name__ == '__main__':
    main()
