"""The PyTorch peer of the whole-network benchmark (bench/Network).

One persistent process, so that start-up and `import torch` are never timed and the harness can
alternate blocks with the engine and ONNX Runtime. It builds the same networks as the engine's
model zoo (input normalisation, basic-block ResNets: zero-padding shortcuts for the CIFAR depths,
1x1-conv shortcuts and the small 3x3 stem without max-pool for ResNet-18/34) and answers one line
per command on stdin:

    train resnet20 128 2 10  ->  ok <seconds of the 10 timed steps, after 2 untimed ones>
    infer resnet18 32 2 10   ->  ok <seconds>
    anything that fails      ->  error <message>

The first line it writes is "ready <torch version>", or "error <message>" when torch is missing.
A training step is zero_grad, forward, cross-entropy, backward and Nesterov SGD with the engine's
settings, which the harness passes (lr 0.05, momentum 0.9, weight decay 5e-4); inference is eval
mode under inference_mode, the logits brought to the host (on the CPU they already are).
Run by the harness as: /usr/bin/python3 torch_network.py --threads N --input C,H,W --classes K
--mean M --std S --lr LR --momentum M --weight-decay WD
"""
import argparse
import sys
import time


def build_networks(torch):
    nn, F = torch.nn, torch.nn.functional

    class Normalize(nn.Module):
        # The engine's first layer: x * (1/std) + (-mean/std), one statistic for all channels.
        def __init__(self, mean, std):
            super().__init__()
            self.scale, self.shift = 1.0 / std, -mean / std

        def forward(self, x):
            return x * self.scale + self.shift

    class BasicBlock(nn.Module):
        def __init__(self, cin, planes, stride, shortcut):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.stride, self.extra = stride, planes - cin
            self.shortcut = shortcut
            if shortcut == "conv":
                self.downsample = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

        def forward(self, x):
            y = F.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            if self.shortcut == "conv":
                identity = self.downsample(x)
            elif self.shortcut == "pad":
                # Option A as the engine has it: subsample, then zero channels after the input's.
                identity = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, 0, self.extra))
            else:
                identity = x
            return F.relu(y + identity)

    class ResNet(nn.Module):
        def __init__(self, depths, planes, shortcut, channels, classes, mean, std):
            super().__init__()
            self.normalize = Normalize(mean, std)
            self.conv1 = nn.Conv2d(channels, planes[0], 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes[0])
            blocks, cin = [], planes[0]
            for s, (depth, width) in enumerate(zip(depths, planes)):
                for b in range(depth):
                    stride = 2 if b == 0 and s > 0 else 1
                    kind = shortcut if stride != 1 or cin != width else None
                    blocks.append(BasicBlock(cin, width, stride, kind))
                    cin = width
            self.layers = nn.Sequential(*blocks)
            self.fc = nn.Linear(cin, classes)
            for m in self.modules():
                if isinstance(m, nn.Conv2d):  # the engine draws convs as torchvision does
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

        def forward(self, x):
            x = F.relu(self.bn1(self.conv1(self.normalize(x))))
            x = self.layers(x)
            return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    def create(name, channels, classes, mean, std):
        if name in ("resnet20", "resnet56"):
            n = (int(name[6:]) - 2) // 6
            return ResNet([n] * 3, [16, 32, 64], "pad", channels, classes, mean, std)
        if name in ("resnet18", "resnet34"):
            depths = [2, 2, 2, 2] if name == "resnet18" else [3, 4, 6, 3]
            return ResNet(depths, [64, 128, 256, 512], "conv", channels, classes, mean, std)
        raise ValueError(f"unknown model {name}")

    return create


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--input", required=True, help="C,H,W")
    parser.add_argument("--classes", type=int, required=True)
    parser.add_argument("--mean", type=float, required=True)
    parser.add_argument("--std", type=float, required=True)
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--momentum", type=float, required=True)
    parser.add_argument("--weight-decay", type=float, required=True)
    args = parser.parse_args()
    channels, height, width = (int(v) for v in args.input.split(","))
    try:
        import torch
    except ImportError as e:
        print(f"error cannot import torch with {sys.executable} ({e})", flush=True)
        return 1
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    create = build_networks(torch)
    networks, batches = {}, {}

    def network(name):
        if name not in networks:
            net = create(name, channels, args.classes, args.mean, args.std)
            opt = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum,
                                  weight_decay=args.weight_decay, nesterov=True)
            networks[name] = (net, opt)
        return networks[name]

    def batch(size):
        if size not in batches:
            batches[size] = (torch.rand(size, channels, height, width), torch.randint(0, args.classes, (size,)))
        return batches[size]

    def run(mode, name, size, warm, steps):
        net, opt = network(name)
        x, y = batch(size)
        if mode == "train":
            net.train()

            def step():
                opt.zero_grad(set_to_none=True)
                torch.nn.functional.cross_entropy(net(x), y).backward()
                opt.step()
        elif mode == "infer":
            net.eval()

            def step():
                with torch.inference_mode():
                    net(x).cpu()
        else:
            raise ValueError(f"unknown mode {mode}")
        for _ in range(warm):
            step()
        start = time.perf_counter()
        for _ in range(steps):
            step()
        return time.perf_counter() - start

    print(f"ready {torch.__version__}", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        try:
            mode, name, size, warm, steps = parts[0], parts[1], int(parts[2]), int(parts[3]), int(parts[4])
            print(f"ok {run(mode, name, size, warm, steps):.9f}", flush=True)
        except Exception as e:  # answered, not raised: the harness names the failing case
            print(f"error {type(e).__name__}: {e}".replace("\n", " "), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
