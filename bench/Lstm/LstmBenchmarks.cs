using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using SparseCore.Kernels.Cpu;
using SparseCore.Tensors;

namespace SparseCore.Bench.Lstm;

/// <summary>
/// The PASS hypernetwork's LSTM on the CpuBackend through autograd: F.Lstm over 20 steps (input
/// 512, hidden 64; a different input per step), the loss the sum of the hidden state at every
/// step (PASS reads one output per layer), then the backward through time to every parameter.
/// One invocation = forward + backward for a batch; the µs/sequence column divides by the batch.
/// </summary>
[Config(typeof(Config))]
[WarmupCount(3), IterationCount(10), IterationTime(150)]
public class LstmBenchmarks
{
    private const int Steps = 20, Input = 512, Hidden = 64;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new PerSequenceColumn());
    }

    [Params(1, 64)]
    public int Batch { get; set; }

    private readonly CpuBackend backend = new();
    private Tensor[] inputs = [], parameters = [];
    private Tensor h0 = null!, c0 = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        float scale = 1f / MathF.Sqrt(Hidden);
        inputs = Enumerable.Range(0, Steps).Select(_ => Tensor.FromArray(backend, Uniform(rng, Batch * Input, 1f), new Shape(Batch, Input))).ToArray();
        parameters =
        [
            Tensor.FromArray(backend, Uniform(rng, 4 * Hidden * Input, scale), new Shape(4 * Hidden, Input)),
            Tensor.FromArray(backend, Uniform(rng, 4 * Hidden * Hidden, scale), new Shape(4 * Hidden, Hidden)),
            Tensor.FromArray(backend, Uniform(rng, 4 * Hidden, scale), new Shape(4 * Hidden)),
            Tensor.FromArray(backend, Uniform(rng, 4 * Hidden, scale), new Shape(4 * Hidden)),
        ];
        foreach (var p in parameters) p.RequiresGrad = true;
        h0 = Tensor.Zeros(backend, new Shape(Batch, Hidden));
        c0 = Tensor.Zeros(backend, new Shape(Batch, Hidden));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in inputs.Concat(parameters).Append(h0).Append(c0)) t.Dispose();
        backend.Dispose();
    }

    [Benchmark(Description = "LSTM 20 steps forward + backward")]
    public void ForwardBackward()
    {
        using (var scope = new TensorScope())
        {
            var (hidden, _) = F.Lstm(inputs, h0, c0, parameters[0], parameters[1], parameters[2], parameters[3]);
            var loss = F.SumAll(hidden[0]);
            for (int t = 1; t < hidden.Count; t++) loss = F.Add(loss, F.SumAll(hidden[t]));
            loss.Backward();
        }
        foreach (var p in parameters) p.ZeroGrad();
    }

    private static float[] Uniform(Random rng, int count, float scale)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return x;
    }

    /// <summary>Median / batch in µs: the cost of one sequence's forward + backward.</summary>
    private sealed class PerSequenceColumn : IColumn
    {
        public string Id => nameof(PerSequenceColumn);
        public string ColumnName => "µs/sequence";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "median time of one forward + backward / Batch, in µs";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (benchmarkCase.Descriptor.Type != typeof(LstmBenchmarks)) return "-"; // a joined summary's other suites
            double? median = summary[benchmarkCase]?.ResultStatistics?.Median;
            return median is > 0 ? (median.Value / 1000 / (int)benchmarkCase.Parameters[nameof(Batch)]).ToString("F1") : "NA";
        }
    }
}
