namespace SparseCore.Kernels.Elementwise;

/// <summary>
/// How the right operand of a binary op is broadcast: the left operand and the output are viewed
/// as [Outer, Mid, Inner] and the right operand as [Mid], indexed by the middle coordinate.
/// One form covers every case the engine needs:
/// same shape (1, n, 1), scalar (1, 1, n), per-row bias on [rows, cols] (rows, cols, 1),
/// per-channel on NCHW (N, C, H·W), per-row scale on [rows, cols] (1, rows, cols).
/// </summary>
public readonly record struct Broadcast(int Outer, int Mid, int Inner)
{
    public int Total => checked(Outer * Mid * Inner);

    public static Broadcast Same(int n) => new(1, n, 1);
    public static Broadcast Scalar(int n) => new(1, 1, n);
    public static Broadcast PerColumn(int rows, int cols) => new(rows, cols, 1);
    public static Broadcast PerChannel(int n, int c, int hw) => new(n, c, hw);

    public void Validate(string op)
    {
        if (Outer <= 0 || Mid <= 0 || Inner <= 0)
            throw new ArgumentException($"{op}: broadcast extents must be positive, got outer={Outer}, mid={Mid}, inner={Inner}");
    }
}
