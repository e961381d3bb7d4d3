using SparseCore.Kernels.Pool;

namespace SparseCore.Tensors;

public static partial class F
{
    /// <summary>Max pooling of x [N, C, H, W] over square windows; the gradient flows to each window's (first) maximum.</summary>
    public static Tensor MaxPool2d(Tensor x, int kernel, int stride, int padding = 0)
    {
        var s = PoolShape("MaxPool2d", x, kernel, stride, padding);
        var outShape = new Shape(s.N, s.C, s.OutH, s.OutW);
        var y = Tensor.Empty(x.Backend, outShape);
        var argmax = IntTensor.Empty(x.Backend, outShape);
        x.Backend.MaxPool2d(x.Buffer, y.Buffer, argmax.Buffer, s);
        Autograd.Record("MaxPool2d", y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.MaxPool2dBackward(g.Buffer, argmax.Buffer, dx.Buffer, s);
            return [dx];
        });
        return y;
    }

    /// <summary>Average pooling with zero padding counted in the divisor (PyTorch's count_include_pad=True).</summary>
    public static Tensor AvgPool2d(Tensor x, int kernel, int stride, int padding = 0)
    {
        var s = PoolShape("AvgPool2d", x, kernel, stride, padding);
        var y = Tensor.Empty(x.Backend, new Shape(s.N, s.C, s.OutH, s.OutW));
        x.Backend.AvgPool2d(x.Buffer, y.Buffer, s);
        Autograd.Record("AvgPool2d", y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.AvgPool2dBackward(g.Buffer, dx.Buffer, s);
            return [dx];
        });
        return y;
    }

    /// <summary>[N, C, H, W] → [N, C], the mean of each plane (a row reduction, so the reduce kernels serve).</summary>
    public static Tensor GlobalAvgPool(Tensor x)
    {
        if (x.Rank != 4) throw new TensorShapeException("GlobalAvgPool", $"needs x [N, C, H, W], got {x.Shape}");
        int planes = x.Shape[0] * x.Shape[1], plane = x.Shape[2] * x.Shape[3];
        if (planes == 0 || plane == 0) throw new TensorShapeException("GlobalAvgPool", $"needs non-empty planes, got {x.Shape}");
        float scale = 1f / plane;
        var y = Tensor.Empty(x.Backend, new Shape(x.Shape[0], x.Shape[1]));
        x.Backend.ReduceSum(x.Buffer, y.Buffer, planes, plane, 1, scale);
        Autograd.Record("GlobalAvgPool", y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.ReduceSumBackward(g.Buffer, dx.Buffer, planes, plane, 1, scale);
            return [dx];
        });
        return y;
    }

    private static Pool2dShape PoolShape(string op, Tensor x, int kernel, int stride, int padding)
    {
        if (x.Rank != 4) throw new TensorShapeException(op, $"needs x [N, C, H, W], got {x.Shape}");
        var s = new Pool2dShape(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], kernel, stride, padding);
        if (s.Problem() is string problem) throw new TensorShapeException(op, $"input {x.Shape}: {problem}");
        return s;
    }
}
