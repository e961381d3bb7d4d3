namespace SparseCore.Tensors;

/// <summary>Immutable row-major extents; equality by value.</summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int[]? dims;

    public Shape(params int[] dims)
    {
        foreach (int d in dims)
            if (d < 0) throw new ArgumentException($"shape {Format(dims)} has a negative extent");
        this.dims = (int[])dims.Clone();
    }

    public int Rank => dims?.Length ?? 0;
    public int this[int axis] => Dims[axis < 0 ? axis + Rank : axis];
    public ReadOnlySpan<int> Dims => dims ?? [];

    /// <summary>Element count (1 for a scalar shape []).</summary>
    public int Size
    {
        get
        {
            long size = 1;
            foreach (int d in Dims) size *= d;
            return checked((int)size);
        }
    }

    /// <summary>Product of the extents in [start, end).</summary>
    public int Product(int start, int end)
    {
        int p = 1;
        for (int i = start; i < end; i++) p *= Dims[i];
        return p;
    }

    public int NormalizeAxis(int axis, string op)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank) throw new TensorShapeException(op, $"axis {axis} is out of range for shape {this}");
        return a;
    }

    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    public override string ToString() => Format(Dims);
    private static string Format(ReadOnlySpan<int> dims) => "[" + string.Join(", ", dims.ToArray()) + "]";

    public static implicit operator Shape(int[] dims) => new(dims);
}
