namespace SparseCore.Tensors.Tests.Reference;

/// <summary>A double-precision host tensor: the reference side of every op check.</summary>
public sealed record RefTensor(double[] Data, int[] Shape)
{
    public int Size => Data.Length;

    public static RefTensor Random(System.Random rng, params int[] shape)
    {
        int n = 1;
        foreach (int d in shape) n *= d;
        var data = new double[n];
        for (int i = 0; i < n; i++) data[i] = rng.NextDouble() * 2 - 1;
        return new RefTensor(data, shape);
    }

    public static RefTensor Positive(System.Random rng, params int[] shape)
    {
        var t = Random(rng, shape);
        for (int i = 0; i < t.Size; i++) t.Data[i] = 0.5 + Math.Abs(t.Data[i]);
        return t;
    }

    public RefTensor Copy() => new((double[])Data.Clone(), Shape);

    public float[] ToFloat() => Array.ConvertAll(Data, v => (float)v);

    public static RefTensor FromFloat(float[] data, int[] shape) => new(Array.ConvertAll(data, v => (double)v), shape);
}
