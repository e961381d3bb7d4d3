namespace SparseCore.Kernels.Layout;

/// <summary>
/// A block copy along one axis: x viewed as [Outer, SrcAxis, Inner], y as [Outer, DstAxis, Inner],
/// y[o, DstStart + a, i] = x[o, SrcStart + a, i] for a &lt; Length; the rest of y is untouched.
/// A slice is (SrcStart = start, DstStart = 0, DstAxis = Length); a concatenation writes each part
/// with SrcStart = 0 at its offset.
/// </summary>
public readonly record struct AxisCopy(int Outer, int Inner, int SrcAxis, int SrcStart, int DstAxis, int DstStart, int Length)
{
    public long SrcTotal => (long)Outer * SrcAxis * Inner;
    public long DstTotal => (long)Outer * DstAxis * Inner;
    public int Count => Outer * Length * Inner;

    public static AxisCopy Slice(int outer, int axis, int inner, int start, int length) => new(outer, inner, axis, start, length, 0, length);

    public static AxisCopy Place(int outer, int partAxis, int inner, int axis, int offset) => new(outer, inner, partAxis, 0, axis, offset, partAxis);

    public void Validate(string op)
    {
        if (Outer <= 0 || Inner <= 0 || Length <= 0 || SrcAxis <= 0 || DstAxis <= 0)
            throw new ArgumentException($"{op}: extents must be positive, got {this}");
        if (SrcStart < 0 || (long)SrcStart + Length > SrcAxis)
            throw new ArgumentException($"{op}: source range [{SrcStart}, {(long)SrcStart + Length}) is outside its axis of {SrcAxis}");
        if (DstStart < 0 || (long)DstStart + Length > DstAxis)
            throw new ArgumentException($"{op}: destination range [{DstStart}, {(long)DstStart + Length}) is outside its axis of {DstAxis}");
        if (SrcTotal > int.MaxValue || DstTotal > int.MaxValue)
            throw new ArgumentException($"{op}: {this} exceeds the int index range");
    }
}
