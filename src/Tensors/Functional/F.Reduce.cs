namespace SparseCore.Tensors;

public static partial class F
{
    /// <summary>Sum over one axis (the axis is removed from the shape).</summary>
    public static Tensor Sum(Tensor x, int axis) => ReduceSum("Sum", x, axis, 1f);

    public static Tensor Mean(Tensor x, int axis)
    {
        int k = x.Shape.NormalizeAxis(axis, "Mean");
        return ReduceSum("Mean", x, k, 1f / x.Shape[k]);
    }

    /// <summary>Sum of every element, as a one-element tensor.</summary>
    public static Tensor SumAll(Tensor x) => ReduceSum("SumAll", Reshape(x, new Shape(x.Size)), 0, 1f);

    public static Tensor MeanAll(Tensor x) => ReduceSum("MeanAll", Reshape(x, new Shape(x.Size)), 0, 1f / x.Size);

    private static Tensor ReduceSum(string op, Tensor x, int axis, float scale)
    {
        int k = x.Shape.NormalizeAxis(axis, op);
        var (outer, n, inner) = (x.Shape.Product(0, k), x.Shape[k], x.Shape.Product(k + 1, x.Rank));
        var y = Tensor.Empty(x.Backend, RemoveAxis(x.Shape, k));
        x.Backend.ReduceSum(x.Buffer, y.Buffer, outer, n, inner, scale);
        Autograd.Record(op, y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.ReduceSumBackward(g.Buffer, dx.Buffer, outer, n, inner, scale);
            return [dx];
        });
        return y;
    }

    /// <summary>Maximum over one axis; the gradient flows to the first maximal element.</summary>
    public static Tensor Max(Tensor x, int axis)
    {
        int k = x.Shape.NormalizeAxis(axis, "Max");
        var (outer, n, inner) = (x.Shape.Product(0, k), x.Shape[k], x.Shape.Product(k + 1, x.Rank));
        var outShape = RemoveAxis(x.Shape, k);
        var y = Tensor.Empty(x.Backend, outShape);
        var argmax = IntTensor.Empty(x.Backend, outShape);
        x.Backend.ReduceMax(x.Buffer, y.Buffer, argmax.Buffer, outer, n, inner);
        Autograd.Record("Max", y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.ReduceMaxBackward(g.Buffer, argmax.Buffer, dx.Buffer, outer, n, inner);
            return [dx];
        });
        return y;
    }

    /// <summary>Index of the first maximum along an axis (not differentiable).</summary>
    public static IntTensor ArgMax(Tensor x, int axis)
    {
        int k = x.Shape.NormalizeAxis(axis, "ArgMax");
        var outShape = RemoveAxis(x.Shape, k);
        using var values = x.Backend.Allocate<float>(outShape.Size);
        var argmax = IntTensor.Empty(x.Backend, outShape);
        x.Backend.ReduceMax(x.Buffer, values, argmax.Buffer, x.Shape.Product(0, k), x.Shape[k], x.Shape.Product(k + 1, x.Rank));
        return argmax;
    }

    private static Shape RemoveAxis(Shape s, int axis)
    {
        var dims = new int[s.Rank - 1];
        for (int i = 0, j = 0; i < s.Rank; i++) if (i != axis) dims[j++] = s[i];
        return new Shape(dims);
    }
}
