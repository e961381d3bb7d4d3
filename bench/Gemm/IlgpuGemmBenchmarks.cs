using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Ilgpu;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Random;

namespace SparseCore.Bench.Gemm;

/// <summary>
/// Square fp32 GEMM on the CUDA backend (the tiled ILGPU kernel), beside CpuGemm on the same
/// machine's cores. Kernels are asynchronous, so each invocation synchronises before returning.
/// Runs only where a CUDA device is found; elsewhere the suite is filtered out.
/// </summary>
[Config(typeof(Config))]
public class IlgpuGemmBenchmarks : IFlopCounted
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new GflopsColumn<IlgpuGemmBenchmarks>(), new SpeedVsBaselineColumn());
            AddFilter(new SimpleFilter(_ => IlgpuBackend.DescribeCudaDevices().Count > 0));
        }
    }

    public static double Flops(IReadOnlyDictionary<string, object> parameters)
    {
        double n = Convert.ToDouble(parameters[nameof(N)]);
        return 2 * n * n * n;
    }

    [Params(256, 512, 1024, 2048, 4096)]
    public int N { get; set; }

    private IlgpuBackend? cuda;
    private DeviceBuffer<float>? a, b, c;
    private float[] ha = [], hb = [], hc = [];

    [GlobalSetup]
    public void Setup()
    {
        cuda = IlgpuBackend.CreateCuda();
        a = cuda.Allocate<float>(N * N);
        b = cuda.Allocate<float>(N * N);
        c = cuda.Allocate<float>(N * N);
        cuda.FillRandom(a, RandomDistribution.Uniform, -1, 1, 42, 0);
        cuda.FillRandom(b, RandomDistribution.Uniform, -1, 1, 42, 1);
        ha = cuda.ToArray(a);
        hb = cuda.ToArray(b);
        hc = new float[N * N];
        IlgpuGemm();
        CpuGemmSgemm();
        var gpu = cuda.ToArray(c);
        double diff = 0, norm = 0;
        for (int i = 0; i < gpu.Length; i++) { diff += Math.Pow(gpu[i] - hc[i], 2); norm += (double)hc[i] * hc[i]; }
        if (!(Math.Sqrt(diff / norm) <= 1e-5))
            throw new InvalidOperationException($"ILGPU GEMM and CpuGemm disagree at N={N}: {Math.Sqrt(diff / norm):E2}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        a?.Dispose(); b?.Dispose(); c?.Dispose();
        cuda?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "CpuGemm (host cores)")]
    public void CpuGemmSgemm() => CpuGemm.Sgemm(false, false, N, N, N, 1f, ha, hb, 0f, hc);

    [Benchmark(Description = "ILGPU GEMM (cuda)")]
    public void IlgpuGemm()
    {
        cuda!.Gemm(new GemmSpec(false, false, N, N, N), a!, b!, c!);
        cuda.Synchronize();
    }
}
