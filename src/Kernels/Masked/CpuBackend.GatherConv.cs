using System.Buffers;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

// Gather conv on the CPU: the dense forward (Conv/CpuBackend.Conv.cs) with both channel lists
// applied where the operands are copied anyway, so the GEMM is kept_out × P × kept_in·KH·KW —
// work ∝ kept_in × kept_out. With an image per thread that is CpuImplicitConv, which gathers the kept [out, in]
// weight sub-block into the micro-kernel's packed A panels and packs only the kept input
// channels' patches. Otherwise the sub-block is gathered into a per-call panel and each image's
// im2col reads only the kept input channels. Either way no weight copy outlives the call.
// Threads and determinism as the dense forward.
public partial class CpuBackend
{
    protected override void RunGatherConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float>? bias,
                                                   ChannelSelection inSel, ChannelSelection outSel, DeviceBuffer<float> y)
    {
        var s = shape;
        float[] xa = ArrayOf(x), wa = ArrayOf(w), ya = ArrayOf(y);
        float[]? ba = bias is null ? null : ArrayOf(bias);
        int[] inIdx = ArrayOf(inSel.IndexBuffer), outIdx = ArrayOf(outSel.IndexBuffer);
        int keptIn = inSel.Count, keptOut = outSel.Count, area = s.KH * s.KW;
        int k = keptIn * area, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W, outPlane = keptOut * p;
        if (k > 0 && CpuConv.UsesImplicitForward(s))
        {
            CpuImplicitConv.Forward(s, xa, wa, ba, ya, inSel.Indices.ToArray(), outSel.Indices.ToArray());
            return;
        }
        // A pointwise conv over all input channels in order reads x as its own patch matrix.
        bool direct = CpuConv.IsPointwise(s) && IsIdentity(inSel);
        float[] panel = ArrayPool<float>.Shared.Rent(Math.Max(1, keptOut * k));
        try
        {
            for (int j = 0; j < keptOut; j++)
                for (int c = 0; c < keptIn; c++)
                    wa.AsSpan((outIdx[j] * s.Cin + inIdx[c]) * area, area).CopyTo(panel.AsSpan((j * keptIn + c) * area, area));
            CpuConv.ForEachImage(s.N, n =>
            {
                var yn = ya.AsSpan(n * outPlane, outPlane);
                if (ba is not null)
                    for (int j = 0; j < keptOut; j++) yn.Slice(j * p, p).Fill(ba[outIdx[j]]);
                else if (k == 0)
                    yn.Clear();
                if (k == 0) return;
                var xn = xa.AsSpan(n * inPlane, inPlane);
                ReadOnlySpan<float> cols = direct ? xn : CpuConv.Im2Col(s, xn, CpuConv.Scratch((long)k * p), inIdx.AsSpan(0, keptIn));
                CpuGemm.Sgemm(false, false, keptOut, p, k, 1f, panel.AsSpan(0, keptOut * k), cols, ba is null ? 0f : 1f, yn);
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(panel);
        }
    }

    private static bool IsIdentity(ChannelSelection selection)
    {
        if (selection.Count != selection.Width) return false;
        var idx = selection.Indices;
        for (int i = 0; i < idx.Length; i++)
            if (idx[i] != i) return false;
        return true;
    }
}
