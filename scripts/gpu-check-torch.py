#!/usr/bin/env python3
"""PyTorch on the same GPU, at the shapes `sparsecore gpu-check` times (see
src/Cli/GpuCheck/GpuCheckShapes.cs): GEMM, conv forward / data grad / weight grad, batch-norm.
Prints a markdown section to append to the results file; prints why not and exits 0 when torch or
a CUDA device is missing, so the GPU script goes on either way. fp32 with TF32 off, as the engine."""
import sys, time

try:
    import torch
except ImportError:
    print("\n## PyTorch peer\n\nnot run: python3 has no torch module")
    sys.exit(0)
if not torch.cuda.is_available():
    print(f"\n## PyTorch peer\n\nnot run: torch {torch.__version__} sees no CUDA device")
    sys.exit(0)

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
dev = torch.device("cuda")
REPS = 20

def per_call(fn):
    fn()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(REPS):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t) / REPS

gemms = [  # label, transA, transB, M, N, K — the same list as GpuCheckShapes.Full
    ("square NN", 0, 0, 4096, 4096, 4096), ("square NT", 0, 1, 4096, 4096, 4096), ("square TN", 1, 0, 4096, 4096, 4096),
    ("LSTM gates, batch 64, hidden 256 (x·Wᵀ)", 0, 1, 64, 1024, 256),
    ("MLP 784→256, batch 128 (x·Wᵀ)", 0, 1, 128, 256, 784),
    ("ViT-Tiny qkv, batch 128 × 65 tokens (x·Wᵀ)", 0, 1, 8320, 576, 192),
    ("ViT-Tiny MLP up (x·Wᵀ)", 0, 1, 8320, 768, 192),
    ("ViT-Tiny MLP down, weight grad (dyᵀ·x)", 1, 0, 192, 768, 8320),
    ("ViT-Tiny MLP down, data grad (dy·W)", 0, 0, 8320, 768, 192),
    ("ResNet-18 fc, batch 128 (x·Wᵀ)", 0, 1, 128, 1000, 512),
]
convs = [  # label, N, Cin, H, W, Cout, k, stride, pad
    ("ResNet-20 stage 1 (16→16, 32²)", 128, 16, 32, 32, 16, 3, 1, 1),
    ("ResNet-20 stage 2 entry (16→32, /2)", 128, 16, 32, 32, 32, 3, 2, 1),
    ("ResNet-20 stage 2 (32→32, 16²)", 128, 32, 16, 16, 32, 3, 1, 1),
    ("ResNet-20 stage 3 (64→64, 8²)", 128, 64, 8, 8, 64, 3, 1, 1),
    ("ResNet-18 layer1 (64→64, 32²)", 128, 64, 32, 32, 64, 3, 1, 1),
    ("ResNet-18 layer2 entry (64→128, /2)", 128, 64, 32, 32, 128, 3, 2, 1),
    ("ResNet-18 layer2 (128→128, 16²)", 128, 128, 16, 16, 128, 3, 1, 1),
    ("ResNet-18 layer3 (256→256, 8²)", 128, 256, 8, 8, 256, 3, 1, 1),
    ("ResNet-18 layer4 (512→512, 4²)", 128, 512, 4, 4, 512, 3, 1, 1),
    ("ResNet-18 1×1 shortcut (64→128, /2)", 128, 64, 32, 32, 128, 1, 2, 0),
]

print(f"\n## PyTorch peer\n\ntorch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name()}; "
      f"fp32, TF32 off, cudnn.benchmark on; {REPS} calls, one synchronisation.\n")
print("| GEMM | M×N×K | torch ms | torch GFLOP/s |\n| --- | --- | --- | --- |")
for label, ta, tb, m, n, k in gemms:
    a = torch.randn(k, m, device=dev).t() if ta else torch.randn(m, k, device=dev)
    b = torch.randn(n, k, device=dev).t() if tb else torch.randn(k, n, device=dev)
    c = torch.empty(m, n, device=dev)
    t = per_call(lambda: torch.mm(a, b, out=c))
    print(f"| {label} | {m}×{n}×{k} | {t*1e3:.3f} | {2*m*n*k/t/1e9:.0f} |")

print("\n| layer | forward (ms, GFLOP/s) | data grad | weight grad |\n| --- | --- | --- | --- |")
for label, n, cin, h, w, cout, k, s, p in convs:
    x = torch.randn(n, cin, h, w, device=dev)
    wt = torch.randn(cout, cin, k, k, device=dev)
    y = torch.nn.functional.conv2d(x, wt, stride=s, padding=p)
    dy = torch.randn_like(y)
    flops = 2.0 * n * cout * cin * k * k * y.shape[2] * y.shape[3]
    f = per_call(lambda: torch.nn.functional.conv2d(x, wt, stride=s, padding=p))
    d = per_call(lambda: torch.nn.grad.conv2d_input(x.shape, wt, dy, stride=s, padding=p))
    g = per_call(lambda: torch.nn.grad.conv2d_weight(x, wt.shape, dy, stride=s, padding=p))
    cell = lambda t: f"{t*1e3:.3f} ms, {flops/t/1e9:.0f}"
    print(f"| {label} | {cell(f)} | {cell(d)} | {cell(g)} |")

print("\n| kernel | ms | GB/s |\n| --- | --- | --- |")
for label, n, c, hw in [("ResNet-18 layer1 [128, 64, 32²]", 128, 64, 32), ("ResNet-20 stage 3 [128, 64, 8²]", 128, 64, 8),
                        ("ResNet-18 layer4 [128, 512, 4²]", 128, 512, 4)]:
    bn = torch.nn.BatchNorm2d(c).to(dev).train()
    x = torch.randn(n, c, hw, hw, device=dev, requires_grad=True)
    size = x.numel()
    f = per_call(lambda: bn(x))
    y = bn(x)
    dy = torch.randn_like(y)
    b = per_call(lambda: torch.autograd.grad(y, (x,), dy, retain_graph=True))
    print(f"| batch-norm forward, {label} | {f*1e3:.3f} | {8*size/f/1e9:.0f} |")
    print(f"| batch-norm backward, {label} | {b*1e3:.3f} | {12*size/b/1e9:.0f} |")
x = torch.randn(8192, 4096, device=dev)
t = per_call(lambda: x.sum(1))
print(f"| reduce sum, rows [8192 × 4096] | {t*1e3:.3f} | {4*(x.numel()+8192)/t/1e9:.0f} |")
