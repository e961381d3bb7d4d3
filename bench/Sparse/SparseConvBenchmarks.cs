using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Sparse;

namespace SparseCore.Bench.Sparse;

/// <summary>
/// What weight sparsity buys in compute, beside channel sparsity, on the CpuBackend (batch 64,
/// C→C, 3×3, stride 1, padding 1, forward): the dense conv; the sparse-weight conv with 50, 30, 20,
/// 10, 5, 2 and 1 % of the weights kept at random; and the compact conv of a layer whose output
/// channels were pruned to keep the same share of the MACs. GlobalSetup checks the sparse conv
/// against the dense conv on the masked weights, and the compact conv against the dense conv's
/// kept channels (normwise ≤ 1e-5). Two suites: the conv-forms suite's three ResNet layers, and
/// ResNet-20's own three stages at 28 px, where the density a real VPNs run left is timed too.
/// </summary>
[Config(typeof(Config))]
[WarmupCount(2), IterationCount(7), IterationTime(150)]
public abstract class SparseConvBenchmarks
{
    private const double Tolerance = 1e-5;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(SparseColumn.Gflops, SparseColumn.Speedup, SparseColumn.Ideal);
    }

    public abstract string Shape { get; set; }

    public abstract string Variant { get; set; }

    /// <summary>Dense, then the sparse-weight and the compact conv at every kept share.</summary>
    protected static IEnumerable<string> Forms()
    {
        yield return "dense";
        foreach (int p in SparseVariant.Percents) yield return $"sparse-{p}";
        foreach (int p in SparseVariant.Percents) yield return $"compact-{p}";
    }

    private readonly BenchBuffers buffers = new();
    private Action run = () => { };

    [GlobalSetup]
    public void Setup()
    {
        var backend = buffers.Backend;
        var v = SparseVariant.Parse(Shape, Variant, VpnsDensities.Of);
        var s = new Conv2dShape(SparseVariant.Batch, v.Channels, v.Size, v.Size, v.Channels, 3, 3, 1, 1, 1, 1);
        var rng = new Random(42);
        float[] xh = BenchBuffers.Uniform(rng, (int)s.XLength, 1f), wh = BenchBuffers.Uniform(rng, (int)s.WeightLength, 1f / MathF.Sqrt(s.PatchSize)), bh = BenchBuffers.Uniform(rng, s.Cout, 0.1f);
        var x = buffers.Upload(xh); var b = buffers.Upload(bh);
        var y = buffers.Own(backend.Allocate<float>((int)s.YLength));
        switch (v.Form)
        {
            case "dense":
            {
                var w = buffers.Upload(wh);
                run = () => backend.Conv2dForward(s, x, w, b, y);
                break;
            }
            case "sparse":
            {
                // Exactly round(d·size) weights kept, drawn at random: the unstructured mask a global cut leaves in one layer.
                var order = Enumerable.Range(0, wh.Length).ToArray();
                rng.Shuffle(order);
                int kept = Math.Max(1, (int)Math.Round(v.Density * wh.Length));
                foreach (int i in order[kept..]) wh[i] = 0f;
                var sparse = buffers.Own(SparseWeight.FromConv(backend, wh, s.Cout, s.Cin, 3, 3));
                run = () => backend.SparseConv2dForward(s, x, sparse, b, y);
                run();
                var reference = buffers.Own(backend.Allocate<float>((int)s.YLength));
                backend.Conv2dForward(s, x, buffers.Upload(wh), b, reference);
                BenchBuffers.Check(backend.ToArray(y), backend.ToArray(reference), Tolerance, $"{Variant} on {Shape}");
                break;
            }
            case "compact":
            {
                // The first KeptOut output channels' weights and biases, as extraction would lay them out.
                var cs = s with { Cout = v.KeptOut };
                var wc = buffers.Upload(wh[..(int)cs.WeightLength]);
                var bc = buffers.Upload(bh[..cs.Cout]);
                var yc = buffers.Own(backend.Allocate<float>((int)cs.YLength));
                run = () => backend.Conv2dForward(cs, x, wc, bc, yc);
                run();
                backend.Conv2dForward(s, x, buffers.Upload(wh), b, y);
                var dense = backend.ToArray(y);
                int plane = s.OutH * s.OutW;
                var expected = new float[cs.YLength];
                for (int n = 0; n < s.N; n++)
                    dense.AsSpan(n * s.Cout * plane, cs.Cout * plane).CopyTo(expected.AsSpan(n * cs.Cout * plane, cs.Cout * plane));
                BenchBuffers.Check(backend.ToArray(yc), expected, Tolerance, $"{Variant} on {Shape}");
                break;
            }
            default:
                throw new ArgumentException($"unknown weight-sparsity variant {Variant}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => buffers.Dispose();

    [Benchmark(Description = "conv forward")]
    public void Forward() => run();

}

/// <summary>The conv-forms suite's ResNet layers: 64@32², 128@16², 256@8².</summary>
public class SparseResNetLayerBenchmarks : SparseConvBenchmarks
{
    [Params("C64-32x32", "C128-16x16", "C256-8x8")]
    public override string Shape { get; set; } = "C64-32x32";

    [ParamsSource(nameof(Variants))]
    public override string Variant { get; set; } = "dense";

    public static IEnumerable<string> Variants() => Forms();
}

/// <summary>ResNet-20's stages at 28 px (16@28², 32@14², 64@7²), with the densities a VPNs run left in each.</summary>
public class SparseResNet20Benchmarks : SparseConvBenchmarks
{
    [Params("C16-28x28", "C32-14x14", "C64-7x7")]
    public override string Shape { get; set; } = "C16-28x28";

    [ParamsSource(nameof(Variants))]
    public override string Variant { get; set; } = "dense";

    public static IEnumerable<string> Variants() => Forms().Append("sparse-vpns");
}
