using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the GEMM kernels of <see cref="IlgpuGemmKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    /// <summary>Products of at most this many multiply-adds per batch entry use GemmSmall (tests lower it to reach the tiled kernel).</summary>
    internal long GemmSmallMaxWork { get; set; } = 1L << 18;

    /// <summary>
    /// Split-K for a tiled GEMM whose grid is small (batch 1): aim for at least this many blocks in
    /// all — two per SM of a 132-SM H100 — with chunks of at least GemmSplitKMinChunk k. A 1024²
    /// GEMM is 64 blocks of 128²; ViT-Tiny's MLP weight gradient (192×768, K = 8320) 12.
    /// </summary>
    internal const int GemmSplitKTargetBlocks = 264, GemmSplitKMinChunk = 256, GemmSplitKMaxSplits = 32;

    /// <summary>Tests set this to force a split count (null: chosen from the shape).</summary>
    internal int? GemmSplitsOverride { get; set; }

    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, IlgpuGemmParams> gemmSmallKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, IlgpuGemmParams> gemmTiledKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, float, float> gemmSplitKSumKernel = null!;

    private void LoadGemm()
    {
        gemmSmallKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, IlgpuGemmParams>>(IlgpuKernelRegistry.GemmSmall);
        gemmTiledKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, IlgpuGemmParams>>(IlgpuKernelRegistry.GemmTiled);
        gemmSplitKSumKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, float, float>>(IlgpuKernelRegistry.GemmSplitKSum);
    }

    protected override void RunGemm(in GemmSpec spec, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c)
    {
        // Strides only matter for batch > 1, where Required* ≤ the int-sized buffer keeps them in int range.
        bool batched = spec.Batch > 1;
        var p = new IlgpuGemmParams
        {
            M = spec.M, N = spec.N, K = spec.K,
            TransA = spec.TransA ? 1 : 0, TransB = spec.TransB ? 1 : 0,
            StrideA = batched ? checked((int)spec.StrideA) : 0,
            StrideB = batched ? checked((int)spec.StrideB) : 0,
            StrideC = batched ? checked((int)spec.StrideC) : 0,
            Alpha = spec.Alpha, Beta = spec.Beta,
            Splits = 1,
            // 16-byte global loads when the operand's contiguous extent and batch stride keep every float4 aligned.
            VecA = (spec.TransA ? spec.M : spec.K) % 4 == 0 && (!batched || spec.StrideA % 4 == 0) ? 1 : 0,
            VecB = (spec.TransB ? spec.K : spec.N) % 4 == 0 && (!batched || spec.StrideB % 4 == 0) ? 1 : 0,
        };
        if ((long)spec.M * spec.N * spec.K <= GemmSmallMaxWork)
        {
            gemmSmallKernel(stream, new Index1D(checked(spec.Batch * spec.M * spec.N)), View(a), View(b), View(c), p);
            return;
        }
        // Batch is grid z, which CUDA caps at 65535: launch larger batches in slices of views.
        int gridX = (spec.N + IlgpuGemmKernels.BN - 1) / IlgpuGemmKernels.BN, gridY = (spec.M + IlgpuGemmKernels.BM - 1) / IlgpuGemmKernels.BM;
        if (spec.Batch == 1 && GemmSplits(spec.K, gridX * gridY) is var (splits, chunk) && splits > 1)
        {
            // Each split writes alpha = 1, beta = 0 partials; the second pass applies alpha and beta once.
            int length = checked(spec.M * spec.N);
            using var partial = Allocate<float>(checked(splits * length));
            var sp = p with { Alpha = 1f, Beta = 0f, Splits = splits, KChunk = chunk, SplitStride = length };
            gemmTiledKernel(stream, new KernelConfig(new Index3D(gridX, gridY, splits), new Index3D(IlgpuGemmKernels.Threads, 1, 1)), View(a), View(b), View(partial), sp);
            gemmSplitKSumKernel(stream, new Index1D(length), View(partial), View(c), length, splits, spec.Alpha, spec.Beta);
            return;
        }
        int maxZ = Math.Max(1, accelerator.MaxGridSize.Z);
        ArrayView<float> va = View(a), vb = View(b), vc = View(c);
        for (int first = 0; first < spec.Batch; first += maxZ)
        {
            int count = Math.Min(maxZ, spec.Batch - first);
            var config = new KernelConfig(new Index3D(gridX, gridY, count), new Index3D(IlgpuGemmKernels.Threads, 1, 1));
            gemmTiledKernel(stream, config, va.SubView((long)first * p.StrideA), vb.SubView((long)first * p.StrideB), vc.SubView((long)first * p.StrideC), p);
        }
    }

    /// <summary>
    /// The split of K, from the shape alone (so the summation order is the same on every run and
    /// every device): enough splits to reach GemmSplitKTargetBlocks blocks, each chunk at least
    /// GemmSplitKMinChunk long and a multiple of the k tile; (1, K) when the grid is large enough.
    /// </summary>
    internal (int Splits, int Chunk) GemmSplits(int k, int blocks)
    {
        int wanted = GemmSplitsOverride ?? (int)Math.Min(Math.Min((GemmSplitKTargetBlocks + blocks - 1) / blocks, k / GemmSplitKMinChunk), GemmSplitKMaxSplits);
        wanted = Math.Clamp(wanted, 1, Math.Max(1, Math.Min(accelerator.MaxGridSize.Z, (k + IlgpuGemmKernels.BK - 1) / IlgpuGemmKernels.BK)));
        if (wanted == 1) return (1, k);
        int chunk = (k + wanted - 1) / wanted;
        chunk = (chunk + IlgpuGemmKernels.BK - 1) / IlgpuGemmKernels.BK * IlgpuGemmKernels.BK;
        return ((k + chunk - 1) / chunk, chunk);
    }
}
