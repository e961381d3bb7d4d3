using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// A strided conv's data gradient as stride-1 convs, one per stride phase of the input, each run by
/// the lane form. Input row ih sits at padded row u = ih + PadH = S·m + ρ; the taps that reach it are
/// r = ρ + S·q (q = 0 … Q_ρ − 1, Q_ρ = ⌈(KH − ρ) / S⌉) from output rows oh = m − q, so
/// dx[u = S·m + ρ] = Σ_q dy[m − q] · w[ρ + S·q] — along rows and columns alike, the forward of dy
/// (Cout channels in, Cin out) with a Q_ρ × Q_σ kernel k[q′] = w[ρ + S·(Q − 1 − q′)] and padding Q − 1,
/// whose output row m is exactly that sum. Each phase's rows m that are real input rows are then
/// written to dx at stride S. Every input position belongs to one phase, and together the phases
/// take each of the KH·KW taps once, so the arithmetic is the conv's own. Why: the strided data
/// gradient ran as a GEMM into a patch matrix and a col2im scatter at 50–125 GFLOP/s, where the
/// forward's lane form runs at 200 and over; the phases' kernels skip the padding taps as the
/// forward does.
/// </summary>
internal static class StridePhases
{
    /// <summary>The forward conv that computes phase (ρ, σ) of <paramref name="conv"/>'s data gradient.</summary>
    public static Conv2dShape Phase(in Conv2dShape conv, int rho, int sigma)
    {
        int qh = Taps(conv.KH, conv.StrideH, rho), qw = Taps(conv.KW, conv.StrideW, sigma);
        return new Conv2dShape(conv.N, conv.Cout, conv.OutH, conv.OutW, conv.Cin, qh, qw, 1, 1, qh - 1, qw - 1);
    }

    /// <summary>Whether every phase's forward takes the lane form (a stride no wider than the kernel, so each phase has taps).</summary>
    public static bool Prefers(in Conv2dShape conv)
    {
        if (conv.StrideH == 1 && conv.StrideW == 1 || conv.StrideH > conv.KH || conv.StrideW > conv.KW) return false;
        for (int rho = 0; rho < conv.StrideH; rho++)
            for (int sigma = 0; sigma < conv.StrideW; sigma++)
                if (!CpuLaneConv.Prefers(Phase(conv, rho, sigma))) return false;
        return true;
    }

    /// <summary>dx = the data gradient of the strided conv <paramref name="conv"/> (written, not accumulated).</summary>
    public static void DataGradient(in Conv2dShape conv, float[] dy, float[] w, float[] dx)
    {
        if (conv.StrideH > conv.KH || conv.StrideW > conv.KW)
            throw new ArgumentException($"conv2d data gradient: stride phases need a stride no wider than the kernel, not {conv}");
        var s = conv;
        int area = s.KH * s.KW;
        long most = 0;
        for (int rho = 0; rho < s.StrideH; rho++)
            for (int sigma = 0; sigma < s.StrideW; sigma++)
                most = Math.Max(most, Phase(s, rho, sigma).YLength);
        // Input rows or columns past the conv's last window get no gradient; a phase's output stops
        // short of them, so dx is cleared first where any exist.
        bool covered = true;
        for (int rho = 0; rho < s.StrideH; rho++)
            covered &= (s.H + s.PadH - rho + s.StrideH - 1) / s.StrideH <= Phase(s, rho, 0).OutH;
        for (int sigma = 0; sigma < s.StrideW; sigma++)
            covered &= (s.W + s.PadW - sigma + s.StrideW - 1) / s.StrideW <= Phase(s, 0, sigma).OutW;
        if (!covered) Array.Clear(dx, 0, (int)s.XLength);
        float[] kernel = System.Buffers.ArrayPool<float>.Shared.Rent((int)s.WeightLength);
        float[] phase = System.Buffers.ArrayPool<float>.Shared.Rent((int)most);
        try
        {
            for (int rho = 0; rho < s.StrideH; rho++)
                for (int sigma = 0; sigma < s.StrideW; sigma++)
                {
                    var t = Phase(s, rho, sigma);
                    int qh = t.KH, qw = t.KW;
                    // k[ci][co][q′h][q′w] = w[co][ci][ρ + S·(Qh − 1 − q′h)][σ + S·(Qw − 1 − q′w)]
                    for (int ci = 0; ci < s.Cin; ci++)
                        for (int co = 0; co < s.Cout; co++)
                            for (int a = 0; a < qh; a++)
                                for (int b = 0; b < qw; b++)
                                    kernel[((ci * s.Cout + co) * qh + a) * qw + b] =
                                        w[(co * s.Cin + ci) * area + (rho + s.StrideH * (qh - 1 - a)) * s.KW + sigma + s.StrideW * (qw - 1 - b)];
                    CpuLaneConv.Forward(t, dy, kernel, null, phase, default);
                    Scatter(s, t, rho, sigma, phase, dx);
                }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(kernel);
            System.Buffers.ArrayPool<float>.Shared.Return(phase);
        }
    }

    /// <summary>⌈(k − ρ) / s⌉: the taps r = ρ + s·q below k.</summary>
    private static int Taps(int k, int stride, int rho) => (k - rho + stride - 1) / stride;

    /// <summary>The phase's rows m and columns n that are input pixels, to dx[ci][S·m + ρ − PadH][S·n + σ − PadW].</summary>
    private static void Scatter(Conv2dShape s, Conv2dShape t, int rho, int sigma, float[] phase, float[] dx)
    {
        // Real rows: 0 ≤ S·m + ρ − PadH < H.
        int m0 = Math.Max(0, (s.PadH - rho + s.StrideH - 1) / s.StrideH), m1 = Math.Min(t.OutH, (s.H + s.PadH - rho + s.StrideH - 1) / s.StrideH);
        int n0 = Math.Max(0, (s.PadW - sigma + s.StrideW - 1) / s.StrideW), n1 = Math.Min(t.OutW, (s.W + s.PadW - sigma + s.StrideW - 1) / s.StrideW);
        int planes = s.N * s.Cin, inPlane = s.H * s.W, outPlane = t.OutH * t.OutW;
        CpuParallel.For(planes, 1, (p0, p1) =>
        {
            for (int plane = p0; plane < p1; plane++)
                for (int m = m0; m < m1; m++)
                {
                    int from = plane * outPlane + m * t.OutW, to = plane * inPlane + (s.StrideH * m + rho - s.PadH) * s.W + sigma - s.PadW;
                    for (int n = n0; n < n1; n++) dx[to + s.StrideW * n] = phase[from + n];
                }
        });
    }
}
