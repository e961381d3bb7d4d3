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

    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, IlgpuGemmParams> gemmSmallKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, IlgpuGemmParams> gemmTiledKernel = null!;

    private void LoadGemm()
    {
        gemmSmallKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, IlgpuGemmParams>>(IlgpuKernelRegistry.GemmSmall);
        gemmTiledKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, IlgpuGemmParams>>(IlgpuKernelRegistry.GemmTiled);
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
        };
        if ((long)spec.M * spec.N * spec.K <= GemmSmallMaxWork)
        {
            gemmSmallKernel(stream, new Index1D(checked(spec.Batch * spec.M * spec.N)), View(a), View(b), View(c), p);
            return;
        }
        // Batch is grid z, which CUDA caps at 65535: launch larger batches in slices of views.
        int gridX = (spec.N + IlgpuGemmKernels.BN - 1) / IlgpuGemmKernels.BN, gridY = (spec.M + IlgpuGemmKernels.BM - 1) / IlgpuGemmKernels.BM;
        int maxZ = Math.Max(1, accelerator.MaxGridSize.Z);
        ArrayView<float> va = View(a), vb = View(b), vc = View(c);
        for (int first = 0; first < spec.Batch; first += maxZ)
        {
            int count = Math.Min(maxZ, spec.Batch - first);
            var config = new KernelConfig(new Index3D(gridX, gridY, count), new Index3D(IlgpuGemmKernels.Threads, 1, 1));
            gemmTiledKernel(stream, config, va.SubView((long)first * p.StrideA), vb.SubView((long)first * p.StrideB), vc.SubView((long)first * p.StrideC), p);
        }
    }
}
