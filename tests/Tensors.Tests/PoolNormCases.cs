using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// Pooling and normalisation ops on odd shapes (odd channels and planes, stride 2, padding 0/1/3).
/// "small" keeps them tiny for the ILGPU simulator; otherwise they are sized like real layers.
/// </summary>
public static class PoolNormCases
{
    public const double Tolerance = 1e-5;
    private const float Eps = 1e-5f;

    public static IEnumerable<string> Names() =>
    [
        "maxpool:3:2:1", "maxpool:2:2:0", "maxpool:7:2:3", "maxpool:3:1:1", "maxpool:1:2:0",
        "avgpool:3:2:1", "avgpool:2:2:0", "avgpool:7:3:3",
        "globalavg",
        "batchnorm:train", "batchnorm:eval",
        "layernorm",
    ];

    public static OpCase Create(string name, bool small, int seed = 3)
    {
        var rng = new System.Random(seed);
        var parts = name.Split(':');
        // Odd planes (9×11) on the simulator; ResNet-like layers on the CPU.
        var (n, c, h, w) = small ? (2, 3, 9, 11) : (16, 33, 33, 35);
        switch (parts[0])
        {
            case "maxpool":
            case "avgpool":
            {
                int k = int.Parse(parts[1]), s = int.Parse(parts[2]), p = int.Parse(parts[3]);
                var x = RefTensor.Random(rng, n, c, h, w);
                bool max = parts[0] == "maxpool";
                var op = max ? PoolNormRefOps.MaxPool(n, c, h, w, k, s, p) : PoolNormRefOps.AvgPool(n, c, h, w, k, s, p);
                return new OpCase(op, [x], t => max ? F.MaxPool2d(t[0], k, s, p) : F.AvgPool2d(t[0], k, s, p), Tolerance);
            }
            case "globalavg":
                return new OpCase(PoolNormRefOps.GlobalAvgPool(n, c, h, w), [RefTensor.Random(rng, n, c, h, w)], t => F.GlobalAvgPool(t[0]), Tolerance);
            case "batchnorm":
            {
                var (bn, bc, bh, bw) = small ? (3, 5, 7, 9) : (16, 33, 15, 17);
                bool training = parts[1] == "train";
                // An offset mean so that a one-pass variance (E[x²] − E[x]²) would show its cancellation.
                var x = RefTensor.Random(rng, bn, bc, bh, bw);
                for (int i = 0; i < x.Size; i++) x.Data[i] = 2 + 0.5 * x.Data[i];
                var gamma = RefTensor.Positive(rng, bc);
                var beta = RefTensor.Random(rng, bc);
                var runMean = RefTensor.Random(rng, bc);
                var runVar = RefTensor.Positive(rng, bc);
                var op = PoolNormRefOps.BatchNorm(bn, bc, bh * bw, training, Eps, runMean.Data, runVar.Data);
                return new OpCase(op, [x, gamma, beta], t =>
                {
                    var rm = Tensor.FromArray(t[0].Backend, runMean.ToFloat(), new Shape(bc));
                    var rv = Tensor.FromArray(t[0].Backend, runVar.ToFloat(), new Shape(bc));
                    return F.BatchNorm2d(t[0], t[1], t[2], rm, rv, training, 0.1f, Eps);
                }, Tolerance);
            }
            case "layernorm":
            {
                // ViT-like token rows: [batch, tokens, width].
                var (b, tokens, width) = small ? (2, 5, 37) : (8, 65, 193);
                var x = RefTensor.Random(rng, b, tokens, width);
                var op = PoolNormRefOps.LayerNorm(b * tokens, width, Eps);
                return new OpCase(op, [x, RefTensor.Positive(rng, width), RefTensor.Random(rng, width)], t => F.LayerNorm(t[0], t[1], t[2], Eps), Tolerance);
            }
            default:
                throw new ArgumentException($"unknown case {name}");
        }
    }
}
