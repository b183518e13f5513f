#!/usr/bin/env python3
"""timm's own ONNX export of a DLA variant, for `dla bench model --against` (scripts/bench-vs-timm.sh).

Builds the variant with timm, exports it as a user would (torch.onnx.export, opset 17, input `input` with a dynamic
batch axis, output `logits`: how ../shared/golden's dla46_c timm-export.onnx was made) and writes the same weights as
safetensors under timm's names, so the graph built by Dla from those weights and timm's graph can be timed side by side.

Needs PyTorch and timm importable (for instance Debian's python3-torch and python3-torchvision, with a timm source tree
on PYTHONPATH). Weights: --weights FILE (a timm state_dict as safetensors), else timm's initialisation with a fixed
seed and non-trivial BatchNorm statistics (speed does not depend on the values; pretrained weights need a download).

  scripts/timm-export.py VARIANT OUT_DIR [--weights FILE] [--seed N]   # writes OUT_DIR/VARIANT.onnx, .safetensors
"""
import argparse
import json
import os
import struct

import numpy as np
import timm
import torch

DTYPES = {'F32': np.float32, 'F16': np.float16, 'I64': np.int64}


def read_safetensors(path):
    with open(path, 'rb') as f:
        size = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == '__metadata__':
            continue
        begin, end = entry['data_offsets']
        array = np.frombuffer(data[begin:end], dtype=DTYPES[entry['dtype']]).reshape(entry['shape'])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def write_safetensors(path, state):
    header, blobs, offset = {}, [], 0
    for name, tensor in state.items():
        array = tensor.detach().cpu().contiguous().numpy()
        dtype = next(k for k, v in DTYPES.items() if array.dtype == v)
        raw = array.tobytes()
        header[name] = {'dtype': dtype, 'shape': list(array.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(',', ':')).encode()
    encoded += b' ' * (-len(encoded) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(encoded)))
        f.write(encoded)
        for raw in blobs:
            f.write(raw)


def randomise_batchnorm(model, generator):
    """Running statistics and affine terms away from identity, so BatchNorm folding has something to fold."""
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            n = module.num_features
            module.running_mean.copy_(torch.randn(n, generator=generator) * 0.1)
            module.running_var.copy_(torch.rand(n, generator=generator) + 0.5)
            module.weight.data.copy_(torch.rand(n, generator=generator) + 0.5)
            module.bias.data.copy_(torch.randn(n, generator=generator) * 0.1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('variant')
    parser.add_argument('out_dir')
    parser.add_argument('--weights')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    model = timm.create_model(args.variant, pretrained=False)
    with torch.no_grad():
        if args.weights:
            model.load_state_dict(read_safetensors(args.weights))
        else:
            randomise_batchnorm(model, torch.Generator().manual_seed(args.seed))
    model.eval()
    os.makedirs(args.out_dir, exist_ok=True)
    stem = os.path.join(args.out_dir, args.variant)
    write_safetensors(stem + '.safetensors', model.state_dict())
    size = model.default_cfg['input_size']
    torch.onnx.export(model, torch.zeros(1, *size), stem + '.onnx', opset_version=17, input_names=['input'],
                      output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    print(f'{args.variant}: {stem}.onnx, {stem}.safetensors (timm {timm.__version__}, torch {torch.__version__})')


if __name__ == '__main__':
    main()
