namespace SparseCore.Tensors.Tests.Reference;

/// <summary>Plain double loops for every op, forward and analytic backward.</summary>
public static class RefOps
{
    private const double GeluC = 0.7978845608028654, GeluA = 0.044715;

    public static RefOp Unary(string name) => name switch
    {
        "Neg" => Pointwise(name, x => -x, (x, y) => -1),
        "Relu" => Pointwise(name, x => Math.Max(x, 0), (x, y) => x > 0 ? 1 : 0),
        "Sigmoid" => Pointwise(name, x => 1 / (1 + Math.Exp(-x)), (x, y) => y * (1 - y)),
        "Tanh" => Pointwise(name, Math.Tanh, (x, y) => 1 - y * y),
        "Exp" => Pointwise(name, Math.Exp, (x, y) => y),
        "Log" => Pointwise(name, Math.Log, (x, y) => 1 / x),
        "Gelu" => Pointwise(name, x => 0.5 * x * (1 + Math.Tanh(GeluC * (x + GeluA * x * x * x))), (x, y) =>
        {
            double t = Math.Tanh(GeluC * (x + GeluA * x * x * x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GeluC * (1 + 3 * GeluA * x * x);
        }),
        _ => throw new ArgumentException(name),
    };

    private static RefOp Pointwise(string name, Func<double, double> f, Func<double, double, double> df) => new(name,
        xs => new RefTensor(xs[0].Data.Select(f).ToArray(), xs[0].Shape),
        (xs, g) => [new RefTensor(xs[0].Data.Select((x, i) => g.Data[i] * df(x, f(x))).ToArray(), xs[0].Shape)]);

    public static RefOp Affine(double scale, double shift) => Pointwise("Affine", x => scale * x + shift, (x, y) => scale);

    /// <summary>a op b with b broadcast as [mid] over a viewed as [outer, mid, inner].</summary>
    public static RefOp Binary(string op, int outer, int mid, int inner) => new(op,
        xs =>
        {
            var (a, b) = (xs[0], xs[1]);
            var y = new double[a.Size];
            for (int i = 0; i < y.Length; i++) y[i] = Apply(op, a.Data[i], b.Data[i / inner % mid]);
            return new RefTensor(y, a.Shape);
        },
        (xs, g) =>
        {
            var (a, b) = (xs[0], xs[1]);
            var da = new double[a.Size];
            var db = new double[b.Size];
            for (int i = 0; i < da.Length; i++)
            {
                int m = i / inner % mid;
                double av = a.Data[i], bv = b.Data[m];
                (double ga, double gb) = op switch
                {
                    "Add" => (1.0, 1.0),
                    "Sub" => (1.0, -1.0),
                    "Mul" => (bv, av),
                    _ => (1 / bv, -av / (bv * bv)),
                };
                da[i] = g.Data[i] * ga;
                db[m] += g.Data[i] * gb;
            }
            return [new RefTensor(da, a.Shape), new RefTensor(db, b.Shape)];
        });

    private static double Apply(string op, double a, double b) => op switch
    {
        "Add" => a + b,
        "Sub" => a - b,
        "Mul" => a * b,
        _ => a / b,
    };

    /// <summary>Sum over the middle axis of [outer, axis, inner], scaled.</summary>
    public static RefOp ReduceSum(int outer, int axis, int inner, double scale, int[] outShape) => new("ReduceSum",
        xs =>
        {
            var y = new double[outer * inner];
            for (int o = 0; o < outer; o++)
                for (int a = 0; a < axis; a++)
                    for (int i = 0; i < inner; i++) y[o * inner + i] += scale * xs[0].Data[(o * axis + a) * inner + i];
            return new RefTensor(y, outShape);
        },
        (xs, g) =>
        {
            var dx = new double[xs[0].Size];
            for (int o = 0; o < outer; o++)
                for (int a = 0; a < axis; a++)
                    for (int i = 0; i < inner; i++) dx[(o * axis + a) * inner + i] = scale * g.Data[o * inner + i];
            return [new RefTensor(dx, xs[0].Shape)];
        });

    public static RefOp ReduceMax(int outer, int axis, int inner, int[] outShape) => new("ReduceMax",
        xs =>
        {
            var y = new double[outer * inner];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                    y[o * inner + i] = Enumerable.Range(0, axis).Max(a => xs[0].Data[(o * axis + a) * inner + i]);
            return new RefTensor(y, outShape);
        },
        (xs, g) =>
        {
            var dx = new double[xs[0].Size];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int best = 0;
                    for (int a = 1; a < axis; a++)
                        if (xs[0].Data[(o * axis + a) * inner + i] > xs[0].Data[(o * axis + best) * inner + i]) best = a;
                    dx[(o * axis + best) * inner + i] = g.Data[o * inner + i];
                }
            return [new RefTensor(dx, xs[0].Shape)];
        });

    /// <summary>Batched op(A)·op(B) with A, B, C stored row-major; batch = 1 for plain matrices.</summary>
    public static RefOp MatMul(bool ta, bool tb, int batch, int m, int n, int k, int[] outShape) => new("MatMul",
        xs => new RefTensor(Gemm(xs[0].Data, ta, xs[1].Data, tb, batch, m, n, k), outShape),
        (xs, g) =>
        {
            var (a, b) = (xs[0], xs[1]);
            var da = new double[a.Size];
            var db = new double[b.Size];
            for (int t = 0; t < batch; t++)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double gv = g.Data[(t * m + i) * n + j];
                        for (int p = 0; p < k; p++)
                        {
                            int ai = t * m * k + (ta ? p * m + i : i * k + p);
                            int bi = t * k * n + (tb ? j * k + p : p * n + j);
                            da[ai] += gv * b.Data[bi];
                            db[bi] += gv * a.Data[ai];
                        }
                    }
            return [new RefTensor(da, a.Shape), new RefTensor(db, b.Shape)];
        });

    public static double[] Gemm(double[] a, bool ta, double[] b, bool tb, int batch, int m, int n, int k)
    {
        var c = new double[batch * m * n];
        for (int t = 0; t < batch; t++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double acc = 0;
                    for (int p = 0; p < k; p++)
                        acc += a[t * m * k + (ta ? p * m + i : i * k + p)] * b[t * k * n + (tb ? j * k + p : p * n + j)];
                    c[(t * m + i) * n + j] = acc;
                }
        return c;
    }

    public static RefOp Softmax(int rows, int cols, bool log) => new(log ? "LogSoftmax" : "Softmax",
        xs => new RefTensor(SoftmaxRows(xs[0].Data, rows, cols, log), xs[0].Shape),
        (xs, g) =>
        {
            var p = SoftmaxRows(xs[0].Data, rows, cols, log: false);
            var dx = new double[xs[0].Size];
            for (int r = 0; r < rows; r++)
            {
                double s = 0;
                for (int c = 0; c < cols; c++) s += log ? g.Data[r * cols + c] : g.Data[r * cols + c] * p[r * cols + c];
                for (int c = 0; c < cols; c++)
                {
                    int i = r * cols + c;
                    dx[i] = log ? g.Data[i] - p[i] * s : p[i] * (g.Data[i] - s);
                }
            }
            return [new RefTensor(dx, xs[0].Shape)];
        });

    public static double[] SoftmaxRows(double[] x, int rows, int cols, bool log)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < cols; c++) max = Math.Max(max, x[r * cols + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.Exp(x[r * cols + c] - max);
            for (int c = 0; c < cols; c++)
                y[r * cols + c] = log ? x[r * cols + c] - max - Math.Log(sum) : Math.Exp(x[r * cols + c] - max) / sum;
        }
        return y;
    }

    /// <summary>Mean cross-entropy with label smoothing; the labels are fixed, not an input.</summary>
    public static RefOp CrossEntropy(int[] labels, int rows, int cols, double smoothing) => new("CrossEntropy",
        xs =>
        {
            var lp = SoftmaxRows(xs[0].Data, rows, cols, log: true);
            double loss = 0;
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    loss -= Target(labels[r], c, cols, smoothing) * lp[r * cols + c];
            return new RefTensor([loss / rows], [1]);
        },
        (xs, g) =>
        {
            var p = SoftmaxRows(xs[0].Data, rows, cols, log: false);
            var dx = new double[xs[0].Size];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    dx[r * cols + c] = g.Data[0] / rows * (p[r * cols + c] - Target(labels[r], c, cols, smoothing));
            return [new RefTensor(dx, xs[0].Shape)];
        });

    private static double Target(int label, int c, int cols, double smoothing) => (c == label ? 1 - smoothing : 0) + smoothing / cols;
}
