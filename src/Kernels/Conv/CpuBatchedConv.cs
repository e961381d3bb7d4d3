using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Gemm;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// Convs over small outputs as one GEMM per group of images. Data gradient: the group's output
/// gradients side by side in one [Cout, G·P] matrix (P = OutH·OutW), so Wᵀ times them is a GEMM with
/// G·P columns instead of P, followed by col2im per image. Why: the per-image form ran a 16-column
/// GEMM for ResNet-18's 4×4 outputs (the 256→512 stride-2 conv at 60 GFLOP/s, 3.4× slower than
/// batched), and the implicit paths' 64-column tiles are a quarter full there. Forward (wide layers
/// only): the group's patch matrices side by side, W times them, the product scattered to NCHW.
/// Determinism: the groups depend on the shape alone and CpuGemm.Sgemm's result never depends on its
/// thread count.
/// </summary>
internal static class CpuBatchedConv
{
    // A group's columns: enough for the packed GEMM's 64-column panels to be full and its blocks busy.
    private const int GroupColumns = 512;

    /// <summary>Small outputs (fewer pixels an image than one 64-column tile) and more than one image to batch.</summary>
    public static bool Prefers(in Conv2dShape s) => s.N > 1 && s.OutH * s.OutW < 32;

    /// <summary>
    /// The forward too, where the GEMM is large enough to run near peak: at 128 output channels and
    /// up (ResNet-18's 512 @4×4 at batch 32: 15.4 against 20.5 ms implicit; 64 @4×4: 0.61 against
    /// 0.24 ms, so narrow layers stay on the implicit paths).
    /// </summary>
    public static bool PrefersForward(in Conv2dShape s) => Prefers(s) && s.Cout >= 128 && SmallPatches.Fits(s);

    private static int GroupSize(in Conv2dShape s) => Math.Clamp(GroupColumns / (s.OutH * s.OutW), 1, s.N);

    /// <summary>
    /// y = conv(x, w) (+ bias) then the epilogue, a group of images per GEMM: the team gathers the
    /// group's patch matrices (<see cref="SmallPatches"/>), the GEMM multiplies, and the team scatters
    /// the product to NCHW, each thread a fixed range of images.
    /// </summary>
    public static unsafe void Forward(in Conv2dShape s, float[] x, float[] w, float[]? bias, float[] y, CpuEpilogue epilogue)
    {
        var shape = s;
        int k = s.PatchSize, p = s.OutH * s.OutW, outPlane = s.Cout * p, group = GroupSize(s);
        bool vector = SmallPatches.Vectorised;
        var weights = w.AsSpan(0, (int)s.WeightLength);
        for (int n0 = 0; n0 < s.N; n0 += group)
        {
            int count = Math.Min(group, s.N - n0), width = count * p, first = n0;
            var cols = CpuConv.Scratch((long)k * width);
            var product = CpuConv.GroupRows((long)s.Cout * width);
            fixed (float* xp = x, cp = cols)
            {
                nint xa = (nint)xp, ca = (nint)cp;
                CpuParallel.For(count, 1, (i0, i1) => SmallPatches.Gather(shape, (float*)xa, first + i0, first + i1, (float*)ca + (long)i0 * p, width, vector));
            }
            CpuGemm.Sgemm(false, false, s.Cout, width, k, 1f, weights, cols, 0f, product);
            fixed (float* pp = product)
            {
                nint pa = (nint)pp;
                CpuParallel.For(count, 1, (i0, i1) =>
                {
                    for (int i = i0; i < i1; i++)
                    {
                        int n = first + i;
                        for (int co = 0; co < shape.Cout; co++)
                        {
                            var src = new ReadOnlySpan<float>((float*)pa + (long)co * width + i * p, p);
                            var dst = y.AsSpan(n * outPlane + co * p, p);
                            if (bias is null) src.CopyTo(dst);
                            else System.Numerics.Tensors.TensorPrimitives.Add(src, bias[co], dst);
                        }
                        if (!epilogue.IsNone) epilogue.Apply(y.AsSpan(n * outPlane, outPlane), n * outPlane);
                    }
                });
            }
        }
    }

    /// <summary>
    /// The output (gradient) images first + i0 … first + i1 − 1, each [Cout, P], as columns i·P … of
    /// a group's [Cout, width] matrix — the layout the batched GEMMs read them in.
    /// </summary>
    public static unsafe void OutputRows(in Conv2dShape s, float* y, int first, int i0, int i1, float* rows, int width)
    {
        int p = s.OutH * s.OutW, outPlane = s.Cout * p;
        for (int i = i0; i < i1; i++)
            for (int co = 0; co < s.Cout; co++)
                ShortCopy.Floats(y + (long)(first + i) * outPlane + co * p, rows + (long)co * width + i * p, p);
    }

    /// <summary>
    /// dx = ∂L/∂x: the group's output gradients side by side, Wᵀ times them, col2im per image — the
    /// copy in and the col2im (SmallPatches.ScatterAdd where the padded plane fits the stack) by the
    /// team, a fixed range of images each.
    /// </summary>
    public static unsafe void DataGradient(in Conv2dShape s, float[] dy, float[] w, float[] dx)
    {
        var shape = s;
        int k = s.PatchSize, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W, group = GroupSize(s);
        bool small = SmallPatches.Fits(s);
        var weights = w.AsSpan(0, (int)s.WeightLength);
        for (int n0 = 0; n0 < s.N; n0 += group)
        {
            int count = Math.Min(group, s.N - n0), width = count * p, first = n0;
            var rows = CpuConv.GroupRows((long)s.Cout * width);
            var cols = CpuConv.Scratch((long)k * width);
            fixed (float* rp = rows, dyp = dy)
            {
                nint ra = (nint)rp, da = (nint)dyp;
                CpuParallel.For(count, 1, (i0, i1) => OutputRows(shape, (float*)da, first, i0, i1, (float*)ra, width));
            }
            CpuGemm.Sgemm(true, false, k, width, s.Cout, 1f, weights, rows, 0f, cols);
            if (!small)
            {
                for (int i = 0; i < count; i++)
                    CpuConv.Col2Im(s, cols[(i * p)..], dx.AsSpan((n0 + i) * inPlane, inPlane), width);
                continue;
            }
            fixed (float* cp = cols, dxp = dx)
            {
                nint ca = (nint)cp, xa = (nint)dxp;
                CpuParallel.For(count, 1, (i0, i1) => SmallPatches.ScatterAdd(shape, (float*)ca + (long)i0 * p, width, first + i0, first + i1, (float*)xa));
            }
        }
    }
}
