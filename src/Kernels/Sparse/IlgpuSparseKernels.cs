using System.Runtime.InteropServices;
using ILGPU;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Sparse;

/// <summary>The geometry of one sparse conv launch (a linear is N one-pixel images and a 1×1 kernel).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IlgpuSparseConvParams
{
    public int Outputs, Cin, H, W, Cout, OutH, OutW, SH, SW, PH, PW, HasBias;

    public static IlgpuSparseConvParams For(in Conv2dShape s, bool hasBias) => new()
    {
        Outputs = (int)s.YLength, Cin = s.Cin, H = s.H, W = s.W, Cout = s.Cout, OutH = s.OutH, OutW = s.OutW,
        SH = s.StrideH, SW = s.StrideW, PH = s.PadH, PW = s.PadW, HasBias = hasBias ? 1 : 0,
    };
}

/// <summary>
/// The sparse-weight conv forward: a flat launch in the elementwise style, one output per thread
/// per step, each summing its row's nonzeros in row order (taps in padding skipped) and adding the
/// bias once — no atomics, no shared state, so the same bits every run. Consecutive threads hold
/// consecutive columns of one output row: they walk the same nonzeros (the weight reads are one
/// broadcast, the loop does not diverge but at a row's end) and read neighbouring inputs.
/// </summary>
internal static class IlgpuSparseKernels
{
    /// <summary>y[j], j = ((n·Cout + co)·OutH + oh)·OutW + ow; hasBias = 0: bias is a placeholder, never read.</summary>
    [IlgpuKernel]
    internal static void SparseConv2d(Index1D t, ArrayView<float> x, ArrayView<int> rowStarts, ArrayView<int> taps, ArrayView<float> values,
                                      ArrayView<float> bias, ArrayView<float> y, IlgpuSparseConvParams p)
    {
        int stride = IlgpuElementwiseKernels.Threads(p.Outputs);
        for (int e = 0, j = t; e < IlgpuElementwiseKernels.ElementsPerThread && j < p.Outputs; e++, j += stride)
        {
            int r = j / p.OutW, ow = j - r * p.OutW;
            int q = r / p.OutH, oh = r - q * p.OutH;
            int n = q / p.Cout, co = q - n * p.Cout;
            int ih0 = oh * p.SH - p.PH, iw0 = ow * p.SW - p.PW, image = n * p.Cin;
            float acc = 0f;
            for (int i = rowStarts[co], end = rowStarts[co + 1]; i < end; i++)
            {
                int tap = taps[i];
                int ih = ih0 + SparseTap.Row(tap), iw = iw0 + SparseTap.Column(tap);
                if ((uint)ih < (uint)p.H && (uint)iw < (uint)p.W)
                    acc += values[i] * x[((image + SparseTap.Channel(tap)) * p.H + ih) * p.W + iw];
            }
            y[j] = p.HasBias != 0 ? acc + bias[co] : acc;
        }
    }
}
