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
    public static bool PrefersForward(in Conv2dShape s) =>
        Prefers(s) && s.Cout >= 128 && (s.H + 2 * s.PadH) * (s.W + 2 * s.PadW) <= MaxPaddedPlane;

    // The padded plane lives on the stack (16 KiB at most); larger inputs with small outputs are rare.
    private const int MaxPaddedPlane = 4096;

    private static int GroupSize(in Conv2dShape s) => Math.Clamp(GroupColumns / (s.OutH * s.OutW), 1, s.N);

    /// <summary>
    /// y = conv(x, w) (+ bias) then the epilogue, a group of images per GEMM. The patch matrix is
    /// cut from each channel's zero-padded plane (<see cref="Im2ColSmall"/>): the general im2col
    /// spent more on bounds and slicing per 4-float row than the copy itself.
    /// </summary>
    public static void Forward(in Conv2dShape s, float[] x, float[] w, float[]? bias, float[] y, CpuEpilogue epilogue)
    {
        int k = s.PatchSize, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W, outPlane = s.Cout * p, group = GroupSize(s);
        var weights = w.AsSpan(0, (int)s.WeightLength);
        for (int n0 = 0; n0 < s.N; n0 += group)
        {
            int count = Math.Min(group, s.N - n0), width = count * p;
            var cols = CpuConv.Scratch((long)k * width);
            var product = CpuConv.GroupRows((long)s.Cout * width);
            for (int i = 0; i < count; i++)
                Im2ColSmall(s, x.AsSpan((n0 + i) * inPlane, inPlane), cols[(i * p)..], width);
            CpuGemm.Sgemm(false, false, s.Cout, width, k, 1f, weights, cols, 0f, product);
            for (int i = 0; i < count; i++)
            {
                int n = n0 + i;
                for (int co = 0; co < s.Cout; co++)
                {
                    var src = product.Slice(co * width + i * p, p);
                    var dst = y.AsSpan(n * outPlane + co * p, p);
                    if (bias is null) src.CopyTo(dst);
                    else System.Numerics.Tensors.TensorPrimitives.Add(src, bias[co], dst);
                }
                if (!epilogue.IsNone) epilogue.Apply(y.AsSpan(n * outPlane, outPlane), n * outPlane);
            }
        }
    }

    /// <summary>One image's patch matrix, rows <paramref name="rowStride"/> apart: each channel padded once into a small zero-bordered plane, each tap a strided gather from it.</summary>
    private static void Im2ColSmall(in Conv2dShape s, ReadOnlySpan<float> x, Span<float> cols, int rowStride)
    {
        int ph = s.H + 2 * s.PadH, pw = s.W + 2 * s.PadW, outH = s.OutH, outW = s.OutW, plane = s.H * s.W;
        Span<float> padded = stackalloc float[ph * pw];
        padded.Clear();
        for (int ci = 0; ci < s.Cin; ci++)
        {
            var xc = x.Slice(ci * plane, plane);
            for (int ih = 0; ih < s.H; ih++) xc.Slice(ih * s.W, s.W).CopyTo(padded[((ih + s.PadH) * pw + s.PadW)..]);
            for (int r = 0; r < s.KH; r++)
                for (int t = 0; t < s.KW; t++)
                {
                    var row = cols.Slice(((ci * s.KH + r) * s.KW + t) * rowStride, outH * outW);
                    for (int oh = 0, o = 0; oh < outH; oh++)
                        for (int ow = 0, at = (oh * s.StrideH + r) * pw + t; ow < outW; ow++, o++, at += s.StrideW)
                            row[o] = padded[at];
                }
        }
    }

    /// <summary>dx = ∂L/∂x: the group's output gradients side by side, Wᵀ times them, col2im per image.</summary>
    public static void DataGradient(in Conv2dShape s, float[] dy, float[] w, float[] dx)
    {
        int k = s.PatchSize, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W, outPlane = s.Cout * p, group = GroupSize(s);
        var weights = w.AsSpan(0, (int)s.WeightLength);
        for (int n0 = 0; n0 < s.N; n0 += group)
        {
            int count = Math.Min(group, s.N - n0), width = count * p;
            var rows = CpuConv.GroupRows((long)s.Cout * width);
            var cols = CpuConv.Scratch((long)k * width);
            for (int i = 0; i < count; i++)
                for (int co = 0; co < s.Cout; co++)
                    dy.AsSpan((n0 + i) * outPlane + co * p, p).CopyTo(rows.Slice(co * width + i * p, p));
            CpuGemm.Sgemm(true, false, k, width, s.Cout, 1f, weights, rows, 0f, cols);
            for (int i = 0; i < count; i++)
                CpuConv.Col2Im(s, cols[(i * p)..], dx.AsSpan((n0 + i) * inPlane, inPlane), width);
        }
    }
}
