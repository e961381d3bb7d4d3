using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.ML.OnnxRuntime;
using SparseCore.Bench.Onnx;
using SparseCore.Kernels.Gemm;

namespace SparseCore.Bench.Gemm;

/// <summary>
/// Square fp32 GEMM C = A·B: CpuGemm against ONNX Runtime's MatMul (MLAS) on identical inputs,
/// in one run. ORT is set up as the fair peer (see OrtPeer): intra-op threads = cores,
/// sequential, all graph optimisations, intra-op spinning off (so two thread pools sharing 2
/// vCPUs do not fight), pre-allocated OrtValues over managed arrays, outputs pre-bound.
/// </summary>
[Config(typeof(Config))]
public class GemmBenchmarks : IFlopCounted
{
    private const double Tolerance = 1e-5;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new GflopsColumn<GemmBenchmarks>(), new SpeedVsBaselineColumn());
        }
    }

    public static double Flops(IReadOnlyDictionary<string, object> parameters)
    {
        double n = Convert.ToDouble(parameters[nameof(N)]);
        return 2 * n * n * n;
    }

    [Params(256, 512, 1024, 2048)]
    public int N { get; set; }

    private float[] _a = [], _b = [], _c = [], _ortC = [];
    private InferenceSession? _session;
    private RunOptions? _runOptions;
    private OrtValue[] _inputs = [], _outputs = [];
    private static readonly string[] InputNames = ["A", "B"], OutputNames = ["C"];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _a = Uniform(rng, N * N);
        _b = Uniform(rng, N * N);
        _c = new float[N * N];
        _ortC = new float[N * N];

        byte[] model = new OnnxModelBuilder()
            .AddInput("A", N, N)
            .AddInput("B", N, N)
            .AddOutput("C", N, N)
            .AddNode("MatMul", ["A", "B"], ["C"])
            .Build("matmul");

        _session = OrtPeer.CreateSession(model);
        _runOptions = new RunOptions();
        long[] shape = [N, N];
        _inputs = [OrtValue.CreateTensorValueFromMemory(_a, shape), OrtValue.CreateTensorValueFromMemory(_b, shape)];
        _outputs = [OrtValue.CreateTensorValueFromMemory(_ortC, shape)];

        OrtMatMul();
        CpuGemmSgemm();
        double error = NormwiseError(_c, _ortC);
        if (!(error <= Tolerance))
            throw new InvalidOperationException($"CpuGemm and ORT MatMul disagree at N={N}: normwise error {error:E2} > {Tolerance:E0}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var v in _inputs.Concat(_outputs)) v.Dispose();
        _runOptions?.Dispose();
        _session?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ORT MatMul")]
    public void OrtMatMul() => _session!.Run(_runOptions, InputNames, _inputs, OutputNames, _outputs);

    [Benchmark(Description = "CpuGemm")]
    public void CpuGemmSgemm() => CpuGemm.Sgemm(false, false, N, N, N, 1f, _a, _b, 0f, _c);

    private static float[] Uniform(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    private static double NormwiseError(float[] x, float[] reference)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = (double)x[i] - reference[i];
            diff += d * d;
            norm += (double)reference[i] * reference[i];
        }
        return Math.Sqrt(diff / norm);
    }
}
