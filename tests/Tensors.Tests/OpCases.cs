using SparseCore.Kernels.Elementwise;
using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>One op under test: the reference, random inputs of odd shapes, and the engine call.</summary>
public sealed record OpCase(RefOp Ref, RefTensor[] Inputs, Func<Tensor[], Tensor> Run, double Tolerance, int[]? NotDifferentiated = null);

/// <summary>
/// Every differentiable op with odd shapes (never multiples of a tile). "small" keeps them tiny for
/// the ILGPU simulator; otherwise they are sized like real layers.
/// </summary>
public static class OpCases
{
    public const double GemmTolerance = 1e-5;
    public const double TranscendentalTolerance = 1e-3;

    private static readonly string[] UnaryNames = ["Neg", "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Gelu"];
    private static readonly string[] BinaryNames = ["Add", "Sub", "Mul", "Div"];
    private static readonly string[] Broadcasts = ["same", "scalar", "column", "channel"];

    public static IEnumerable<string> Names()
    {
        foreach (var u in UnaryNames) yield return "unary:" + u;
        foreach (var b in BinaryNames)
            foreach (var bc in Broadcasts) yield return $"binary:{b}:{bc}";
        yield return "affine";
        foreach (var ax in new[] { 0, 1, 2 }) yield return $"sum:{ax}";
        yield return "mean:1";
        foreach (var ax in new[] { 0, 1, 2 }) yield return $"max:{ax}";
        foreach (var t in new[] { "NN", "NT", "TN", "TT" }) yield return "matmul:" + t;
        yield return "matmul:batched";
        yield return "matmul:shared";
        yield return "linear";
        yield return "softmax";
        yield return "logsoftmax";
        yield return "crossentropy:0";
        yield return "crossentropy:0.1";
        yield return "reshape";
    }

    public static OpCase Create(string name, bool small, int seed = 1)
    {
        var rng = new System.Random(seed);
        var parts = name.Split(':');
        int rows = small ? 5 : 67, cols = small ? 7 : 131;
        switch (parts[0])
        {
            case "unary":
            {
                var op = Enum.Parse<UnaryOp>(parts[1]);
                var x = op == UnaryOp.Log ? RefTensor.Positive(rng, rows, cols) : RefTensor.Random(rng, rows, cols);
                if (op == UnaryOp.Relu) NudgeFromZero(x);
                double tol = op is UnaryOp.Neg or UnaryOp.Relu ? GemmTolerance : TranscendentalTolerance;
                return new OpCase(RefOps.Unary(parts[1]), [x], t => F.Unary(op, t[0]), tol);
            }
            case "binary":
            {
                var op = Enum.Parse<BinaryOp>(parts[1]);
                int n = small ? 3 : 9, c = small ? 5 : 33, hw = small ? 7 : 49;
                int[] aShape = [n, c, hw];
                (int[] bShape, int outer, int mid, int inner, int? axis) = parts[2] switch
                {
                    "same" => (aShape, 1, n * c * hw, 1, (int?)null),
                    "scalar" => (new[] { 1 }, 1, 1, n * c * hw, null),
                    "column" => (new[] { hw }, n * c, hw, 1, null),
                    _ => (new[] { c }, n, c, hw, 1),
                };
                var a = RefTensor.Random(rng, aShape);
                var b = op == BinaryOp.Div ? RefTensor.Positive(rng, bShape) : RefTensor.Random(rng, bShape);
                return new OpCase(RefOps.Binary(parts[1], outer, mid, inner), [a, b], t => F.Binary(op, t[0], t[1], axis), GemmTolerance);
            }
            case "affine":
                return new OpCase(RefOps.Affine(-1.75, 0.25), [RefTensor.Random(rng, rows, cols)], t => F.Affine(t[0], -1.75f, 0.25f), GemmTolerance);
            case "sum":
            case "mean":
            case "max":
            {
                int axis = int.Parse(parts[1]);
                int[] shape = small ? [3, 5, 7] : [9, 37, 65];
                var x = RefTensor.Random(rng, shape);
                int outer = shape[..axis].Aggregate(1, (p, d) => p * d), inner = shape[(axis + 1)..].Aggregate(1, (p, d) => p * d);
                int[] outShape = shape.Where((_, i) => i != axis).ToArray();
                if (parts[0] == "max")
                    return new OpCase(RefOps.ReduceMax(outer, shape[axis], inner, outShape), [x], t => F.Max(t[0], axis), GemmTolerance);
                double scale = parts[0] == "mean" ? 1.0 / shape[axis] : 1.0;
                return new OpCase(RefOps.ReduceSum(outer, shape[axis], inner, scale, outShape), [x],
                    t => parts[0] == "mean" ? F.Mean(t[0], axis) : F.Sum(t[0], axis), GemmTolerance);
            }
            case "matmul":
                return MatMulCase(parts[1], small, rng);
            case "linear":
            {
                int n = small ? 5 : 61, i = small ? 7 : 97, o = small ? 3 : 29;
                var x = RefTensor.Random(rng, n, i); var w = RefTensor.Random(rng, o, i); var b = RefTensor.Random(rng, o);
                var mm = RefOps.MatMul(false, true, 1, n, o, i, [n, o]);
                var bias = RefOps.Binary("Add", n, o, 1);
                var op = new RefOp("Linear",
                    xs => bias.Forward([mm.Forward([xs[0], xs[1]]), xs[2]]),
                    (xs, g) =>
                    {
                        var gb = bias.Backward([mm.Forward([xs[0], xs[1]]), xs[2]], g);
                        var gm = mm.Backward([xs[0], xs[1]], gb[0]);
                        return [gm[0], gm[1], gb[1]];
                    });
                return new OpCase(op, [x, w, b], t => F.Linear(t[0], t[1], t[2]), GemmTolerance);
            }
            case "softmax":
            case "logsoftmax":
            {
                bool log = parts[0] == "logsoftmax";
                return new OpCase(RefOps.Softmax(rows, cols, log), [Scaled(RefTensor.Random(rng, rows, cols), 4)],
                    t => log ? F.LogSoftmax(t[0]) : F.Softmax(t[0]), TranscendentalTolerance);
            }
            case "crossentropy":
            {
                float smoothing = float.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                int classes = small ? 6 : 10;
                var labels = Enumerable.Range(0, rows).Select(_ => rng.Next(classes)).ToArray();
                return new OpCase(RefOps.CrossEntropy(labels, rows, classes, smoothing), [Scaled(RefTensor.Random(rng, rows, classes), 3)],
                    t =>
                    {
                        var l = IntTensor.Labels(t[0].Backend, labels, classes);
                        return F.CrossEntropy(t[0], l, smoothing);
                    }, TranscendentalTolerance);
            }
            case "reshape":
            {
                var x = RefTensor.Random(rng, rows, cols);
                var op = new RefOp("Reshape", xs => new RefTensor(xs[0].Data, [cols, rows]), (xs, g) => [new RefTensor(g.Data, xs[0].Shape)]);
                return new OpCase(op, [x], t => F.Reshape(t[0], cols, -1), GemmTolerance);
            }
            default:
                throw new ArgumentException($"unknown op case {name}");
        }
    }

    private static OpCase MatMulCase(string kind, bool small, System.Random rng)
    {
        int m = small ? 9 : 67, n = small ? 11 : 129, k = small ? 7 : 253, batch = small ? 2 : 3;
        if (kind == "batched")
        {
            var a = RefTensor.Random(rng, batch, m, k); var b = RefTensor.Random(rng, batch, n, k);
            return new OpCase(RefOps.MatMul(false, true, batch, m, n, k, [batch, m, n]), [a, b], t => F.MatMul(t[0], t[1], false, true), GemmTolerance);
        }
        if (kind == "shared")
        {
            // [batch, m, k] · [k, n] is one [batch·m, k] product: the reference is the same GEMM.
            var a = RefTensor.Random(rng, batch, m, k); var b = RefTensor.Random(rng, k, n);
            var op = RefOps.MatMul(false, false, 1, batch * m, n, k, [batch, m, n]);
            return new OpCase(op, [a, b], t => F.MatMul(t[0], t[1]), GemmTolerance);
        }
        bool ta = kind[0] == 'T', tb = kind[1] == 'T';
        var aa = ta ? RefTensor.Random(rng, k, m) : RefTensor.Random(rng, m, k);
        var bb = tb ? RefTensor.Random(rng, n, k) : RefTensor.Random(rng, k, n);
        return new OpCase(RefOps.MatMul(ta, tb, 1, m, n, k, [m, n]), [aa, bb], t => F.MatMul(t[0], t[1], ta, tb), GemmTolerance);
    }

    private static void NudgeFromZero(RefTensor x)
    {
        // Keep relu's kink out of finite-difference reach.
        for (int i = 0; i < x.Size; i++)
            if (Math.Abs(x.Data[i]) < 1e-3) x.Data[i] = 1e-2;
    }

    private static RefTensor Scaled(RefTensor t, double s)
    {
        for (int i = 0; i < t.Size; i++) t.Data[i] *= s;
        return t;
    }
}
