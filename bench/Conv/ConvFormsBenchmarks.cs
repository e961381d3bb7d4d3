using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.ML.OnnxRuntime;
using SparseCore.Bench.Onnx;
using SparseCore.Kernels;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Bench.Conv;

/// <summary>
/// The channel-pruned conv forms on ResNet layer shapes (batch 64, C→C, 3×3, stride 1, padding 1),
/// forward only, on the CpuBackend: dense; masked-dense (dense conv + the channel-mask multiply,
/// ratio-independent, so timed once per layer); gather conv and compact conv at kept ratios
/// 100/75/50/25/10 %, pruning the output channels only or both input and output; and ONNX
/// Runtime's Conv on the dense layer (threads = cores, spinning off, weights and bias as graph
/// constant initializers so ORT prepacks them once). Compact conv's weights are sliced in
/// GlobalSetup, and under "both" its input is the already-gathered kept channels — what the
/// previous pruned layer hands it. GlobalSetup checks that ORT agrees with the dense conv, and
/// gather and compact with the dense conv's kept channels (normwise ≤ 1e-5).
/// Variants are one string parameter so dense and ORT run once per layer, not once per ratio.
/// </summary>
[Config(typeof(Config))]
[WarmupCount(2), IterationCount(7), IterationTime(150)]
public class ConvFormsBenchmarks
{
    private const double Tolerance = 1e-5;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(ConvColumn.Gflops, ConvColumn.Speedup, ConvColumn.Ideal, ConvColumn.OfIdeal);
    }

    [Params("C64-32x32", "C128-16x16", "C256-8x8")]
    public string Shape { get; set; } = "C64-32x32";

    [ParamsSource(nameof(Variants))]
    public string Variant { get; set; } = "dense";

    public static IEnumerable<string> Variants()
    {
        yield return "dense";
        yield return "masked-dense";
        yield return "ort";
        foreach (var form in new[] { "gather", "compact" })
        {
            yield return $"{form}-all-100";
            foreach (var scope in new[] { "out", "both" })
                foreach (int percent in new[] { 75, 50, 25, 10 })
                    yield return $"{form}-{scope}-{percent}";
        }
    }

    private readonly BenchBuffers buffers = new();
    private Action run = () => { };

    [GlobalSetup]
    public void Setup()
    {
        var backend = buffers.Backend;
        var v = ConvVariant.Parse(Shape, Variant);
        var s = new Conv2dShape(ConvVariant.Batch, v.Channels, v.Size, v.Size, v.Channels, 3, 3, 1, 1, 1, 1);
        var rng = new Random(42);
        float[] xh = BenchBuffers.Uniform(rng, (int)s.XLength, 1f), wh = BenchBuffers.Uniform(rng, (int)s.WeightLength, 1f / MathF.Sqrt(s.PatchSize)), bh = BenchBuffers.Uniform(rng, s.Cout, 0.1f);
        var x = buffers.Upload(xh); var w = buffers.Upload(wh); var b = buffers.Upload(bh);
        var y = buffers.Own(backend.Allocate<float>((int)s.YLength));
        backend.Conv2dForward(s, x, w, b, y);
        float[] dense = backend.ToArray(y);

        // Kept channels as a mask would give them: a seeded subset, ascending.
        var keptIn = Subset(rng, s.Cin, v.KeptIn);
        var keptOut = Subset(rng, s.Cout, v.KeptOut);
        var inSel = buffers.Own(ChannelSelection.FromIndices(backend, keptIn, s.Cin));
        var outSel = buffers.Own(ChannelSelection.FromIndices(backend, keptOut, s.Cout));
        int plane = s.OutH * s.OutW;
        var yk = buffers.Own(backend.Allocate<float>(s.N * keptOut.Length * plane));
        switch (v.Form)
        {
            case "dense":
                run = () => backend.Conv2dForward(s, x, w, b, y);
                return;
            case "masked-dense":
            {
                var mask = buffers.Upload(Enumerable.Range(0, s.Cout).Select(c => c % 2 == 0 ? 1f : 0f).ToArray());
                var perChannel = Broadcast.PerChannel(s.N, s.Cout, plane);
                run = () =>
                {
                    backend.Conv2dForward(s, x, w, b, y);
                    backend.Binary(BinaryOp.Mul, y, mask, y, perChannel);
                };
                return;
            }
            case "ort":
                run = OrtConv(s, xh, wh, bh, dense);
                return;
            case "gather":
                run = () => backend.GatherConv2dForward(s, x, w, b, inSel, outSel, yk);
                break;
            case "compact":
            {
                // The one-time extraction: W[outSel][:, inSel] and b[outSel] as new buffers.
                var rows = buffers.Own(backend.Allocate<float>(keptOut.Length * s.Cin * 9));
                backend.GatherChannels(w, outSel, rows, 1, s.Cin * 9);
                var wc = buffers.Own(backend.Allocate<float>(keptOut.Length * keptIn.Length * 9));
                backend.GatherChannels(rows, inSel, wc, keptOut.Length, 9);
                var bc = buffers.Own(backend.Allocate<float>(keptOut.Length));
                backend.GatherChannels(b, outSel, bc, 1, 1);
                var xc = buffers.Own(backend.Allocate<float>(s.N * keptIn.Length * s.H * s.W));
                backend.GatherChannels(x, inSel, xc, s.N, s.H * s.W);
                var cs = s with { Cin = keptIn.Length, Cout = keptOut.Length };
                run = () => backend.Conv2dForward(cs, xc, wc, bc, yk);
                break;
            }
            default:
                throw new ArgumentException($"unknown conv variant {Variant}");
        }
        run();
        var expected = new float[s.N * keptOut.Length * plane];
        for (int n = 0; n < s.N; n++)
            for (int j = 0; j < keptOut.Length; j++)
                dense.AsSpan((n * s.Cout + keptOut[j]) * plane, plane).CopyTo(expected.AsSpan((n * keptOut.Length + j) * plane, plane));
        if (v.KeptIn == s.Cin) BenchBuffers.Check(backend.ToArray(yk), expected, Tolerance, $"{Variant} on {Shape}");
        else
        {
            // Dropping input channels changes the sum: compare with a dense conv of the masked input.
            var xm = (float[])xh.Clone();
            var keep = new bool[s.Cin];
            foreach (int c in keptIn) keep[c] = true;
            for (int i = 0; i < xm.Length; i++) if (!keep[i / (s.H * s.W) % s.Cin]) xm[i] = 0f;
            var xmb = buffers.Upload(xm);
            backend.Conv2dForward(s, xmb, w, b, y);
            var masked = backend.ToArray(y);
            for (int n = 0; n < s.N; n++)
                for (int j = 0; j < keptOut.Length; j++)
                    masked.AsSpan((n * s.Cout + keptOut[j]) * plane, plane).CopyTo(expected.AsSpan((n * keptOut.Length + j) * plane, plane));
            BenchBuffers.Check(backend.ToArray(yk), expected, Tolerance, $"{Variant} on {Shape}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => buffers.Dispose();

    [Benchmark(Description = "conv forward")]
    public void Forward() => run();

    /// <summary>ORT's Conv with W and B as constant initializers; checks it against the dense conv once.</summary>
    private Action OrtConv(Conv2dShape s, float[] x, float[] w, float[] b, float[] dense)
    {
        long[] xShape = [s.N, s.Cin, s.H, s.W], yShape = [s.N, s.Cout, s.OutH, s.OutW];
        byte[] model = new OnnxModelBuilder()
            .AddInput("X", xShape)
            .AddInitializer("W", [s.Cout, s.Cin, 3, 3], w)
            .AddInitializer("B", [s.Cout], b)
            .AddOutput("Y", yShape)
            .AddNode("Conv", ["X", "W", "B"], ["Y"],
                OnnxAttribute.Of("kernel_shape", 3L, 3L), OnnxAttribute.Of("pads", 1L, 1L, 1L, 1L), OnnxAttribute.Of("strides", 1L, 1L))
            .Build("conv");
        var session = buffers.Own(OrtPeer.CreateSession(model));
        var runOptions = buffers.Own(new RunOptions());
        var y = new float[dense.Length];
        OrtValue[] inputs = [buffers.Own(OrtValue.CreateTensorValueFromMemory(x, xShape))];
        OrtValue[] outputs = [buffers.Own(OrtValue.CreateTensorValueFromMemory(y, yShape))];
        string[] inputNames = ["X"], outputNames = ["Y"];
        void Run() => session.Run(runOptions, inputNames, inputs, outputNames, outputs);
        Run();
        BenchBuffers.Check(y, dense, Tolerance, $"{Variant} on {Shape}");
        return Run;
    }

    private static int[] Subset(Random rng, int width, int count)
    {
        var perm = Enumerable.Range(0, width).ToArray();
        rng.Shuffle(perm);
        var kept = perm[..count];
        Array.Sort(kept);
        return kept;
    }

}
