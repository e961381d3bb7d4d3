namespace SparseCore.Kernels.Conv;

/// <summary>
/// A 2-D convolution over NCHW activations with groups 1 and dilation 1: x [N, Cin, H, W],
/// weight [Cout, Cin, KH, KW], bias [Cout], y [N, Cout, OutH, OutW], where
/// OutH = (H + 2·PadH − KH) / StrideH + 1 (and likewise for W), as torch.nn.Conv2d computes it.
/// </summary>
public readonly record struct Conv2dShape(
    int N, int Cin, int H, int W, int Cout, int KH, int KW,
    int StrideH = 1, int StrideW = 1, int PadH = 0, int PadW = 0)
{
    /// <summary>Largest kernel extent the kernels are written and tested for.</summary>
    public const int MaxKernel = 7;

    public int OutH => (H + 2 * PadH - KH) / StrideH + 1;
    public int OutW => (W + 2 * PadW - KW) / StrideW + 1;

    public long XLength => (long)N * Cin * H * W;
    public long WeightLength => (long)Cout * Cin * KH * KW;
    public long YLength => (long)N * Cout * OutH * OutW;

    /// <summary>The GEMM reduction extent of the forward pass: one weight row, Cin·KH·KW.</summary>
    public int PatchSize => Cin * KH * KW;

    /// <summary>Multiply-adds counted twice, as for GEMM: 2·N·Cout·Cin·KH·KW·OutH·OutW.</summary>
    public double Flops => 2.0 * N * Cout * Cin * KH * KW * OutH * OutW;

    /// <summary>Throws an ArgumentException naming <paramref name="op"/> and the first bad field.</summary>
    public void Validate(string op)
    {
        Positive(op, nameof(N), N); Positive(op, nameof(Cin), Cin); Positive(op, nameof(H), H); Positive(op, nameof(W), W);
        Positive(op, nameof(Cout), Cout);
        if (KH < 1 || KH > MaxKernel) throw Bad(op, nameof(KH), KH, $"must be in [1, {MaxKernel}]");
        if (KW < 1 || KW > MaxKernel) throw Bad(op, nameof(KW), KW, $"must be in [1, {MaxKernel}]");
        Positive(op, nameof(StrideH), StrideH); Positive(op, nameof(StrideW), StrideW);
        if (PadH < 0) throw Bad(op, nameof(PadH), PadH, "must be ≥ 0");
        if (PadW < 0) throw Bad(op, nameof(PadW), PadW, "must be ≥ 0");
        if ((long)H + 2L * PadH < KH) throw Bad(op, nameof(KH), KH, $"does not fit H {H} + 2·PadH {PadH}: the output would be empty");
        if ((long)W + 2L * PadW < KW) throw Bad(op, nameof(KW), KW, $"does not fit W {W} + 2·PadW {PadW}: the output would be empty");
        // Kernels index every buffer with int, and the implicit GEMM's N is N·OutH·OutW or N·H·W.
        if (XLength > int.MaxValue || YLength > int.MaxValue || WeightLength > int.MaxValue)
            throw new ArgumentException($"{op}: {this} needs more than {int.MaxValue} elements in one buffer");
    }

    public override string ToString() =>
        $"conv2d x[{N}, {Cin}, {H}, {W}] w[{Cout}, {Cin}, {KH}, {KW}] stride ({StrideH}, {StrideW}) pad ({PadH}, {PadW})";

    private static void Positive(string op, string field, int value)
    {
        if (value < 1) throw Bad(op, field, value, "must be ≥ 1");
    }

    private static ArgumentException Bad(string op, string field, int value, string rule) =>
        new($"{op}: {field} = {value} {rule}");
}
