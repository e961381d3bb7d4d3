using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SparseCore.Kernels.Conv;

namespace SparseCore.Bench.Conv;

/// <summary>
/// What a channel count costs: the CpuBackend's dense conv forward (3×3, stride 1, padding 1,
/// C→C, bias, batch 32) on ResNet-20's three resolutions (28, 14 and 7 px) for the widths a pruned
/// ResNet-20 ends up with — multiples of 8 and 16 and their odd neighbours. GFLOP/s shows how much
/// of the MACs reduction an odd count gives back, and "vs ⌈C⌉₈" its time against the next multiple
/// of 8 (about 1: the rounded-up count would have been free; what `prune --round-channels 8` buys).
/// </summary>
[Config(typeof(Config))]
[WarmupCount(2), IterationCount(7), IterationTime(150)]
public class ConvChannelsBenchmarks
{
    public const int Batch = 32;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(ChannelColumn.Gflops, ChannelColumn.VsRoundedUp);
    }

    [Params("28x28", "14x14", "7x7")]
    public string Shape { get; set; } = "28x28";

    [ParamsSource(nameof(Variants))]
    public string Variant { get; set; } = "c16";

    /// <summary>"c13": 13 input and 13 output channels.</summary>
    public static IEnumerable<string> Variants() => new[] { 8, 12, 13, 15, 16, 17, 24, 31, 32, 33, 40, 48, 63, 64 }.Select(c => $"c{c}");

    private readonly BenchBuffers buffers = new();
    private Action run = () => { };

    [GlobalSetup]
    public void Setup()
    {
        var backend = buffers.Backend;
        var s = Layer(Shape, Variant);
        var rng = new Random(42);
        var x = buffers.Upload(BenchBuffers.Uniform(rng, (int)s.XLength, 1f));
        var w = buffers.Upload(BenchBuffers.Uniform(rng, (int)s.WeightLength, 1f / MathF.Sqrt(s.PatchSize)));
        var b = buffers.Upload(BenchBuffers.Uniform(rng, s.Cout, 0.1f));
        var y = buffers.Own(backend.Allocate<float>((int)s.YLength));
        run = () => backend.Conv2dForward(s, x, w, b, y);
        run();
    }

    [GlobalCleanup]
    public void Cleanup() => buffers.Dispose();

    [Benchmark(Description = "conv forward")]
    public void Forward() => run();

    public static Conv2dShape Layer(string shape, string variant)
    {
        int size = int.Parse(shape.Split('x')[0]), c = Channels(variant);
        return new Conv2dShape(Batch, c, size, size, c, 3, 3, 1, 1, 1, 1);
    }

    public static int Channels(string variant) => int.Parse(variant[1..]);

    /// <summary>2·N·C·C·9·H·W.</summary>
    public static double Flops(string shape, string variant)
    {
        var s = Layer(shape, variant);
        return 2.0 * s.N * s.Cout * s.Cin * 9 * s.OutH * s.OutW;
    }
}
