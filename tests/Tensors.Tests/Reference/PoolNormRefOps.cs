namespace SparseCore.Tensors.Tests.Reference;

/// <summary>Pooling and normalisation in plain double loops, forward and analytic backward.</summary>
public static class PoolNormRefOps
{
    /// <summary>Max pooling of [n, c, h, w]; padding is −∞ (never chosen); the gradient goes to the first maximum.</summary>
    public static RefOp MaxPool(int n, int c, int h, int w, int k, int stride, int pad)
    {
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        int[] outShape = [n, c, oh, ow];
        int[] Argmax(RefTensor x)
        {
            var arg = new int[n * c * oh * ow];
            for (int p = 0; p < n * c; p++)
                for (int r = 0; r < oh; r++)
                    for (int q = 0; q < ow; q++)
                    {
                        int best = -1;
                        for (int i = r * stride - pad; i < r * stride - pad + k; i++)
                            for (int j = q * stride - pad; j < q * stride - pad + k; j++)
                            {
                                if (i < 0 || i >= h || j < 0 || j >= w) continue;
                                int at = (p * h + i) * w + j;
                                if (best < 0 || x.Data[at] > x.Data[best]) best = at;
                            }
                        arg[(p * oh + r) * ow + q] = best;
                    }
            return arg;
        }
        return new RefOp("MaxPool2d",
            xs => new RefTensor(Argmax(xs[0]).Select(i => xs[0].Data[i]).ToArray(), outShape),
            (xs, g) =>
            {
                var dx = new double[xs[0].Size];
                var arg = Argmax(xs[0]);
                for (int o = 0; o < arg.Length; o++) dx[arg[o]] += g.Data[o];
                return [new RefTensor(dx, xs[0].Shape)];
            });
    }

    /// <summary>Average pooling with zero padding counted in the k² divisor.</summary>
    public static RefOp AvgPool(int n, int c, int h, int w, int k, int stride, int pad)
    {
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        int[] outShape = [n, c, oh, ow];
        // Visits every (output, input) pair of a window that lies inside the plane.
        void Windows(Action<int, int> visit)
        {
            for (int p = 0; p < n * c; p++)
                for (int r = 0; r < oh; r++)
                    for (int q = 0; q < ow; q++)
                        for (int i = r * stride - pad; i < r * stride - pad + k; i++)
                            for (int j = q * stride - pad; j < q * stride - pad + k; j++)
                                if (i >= 0 && i < h && j >= 0 && j < w) visit((p * oh + r) * ow + q, (p * h + i) * w + j);
        }
        return new RefOp("AvgPool2d",
            xs =>
            {
                var y = new double[n * c * oh * ow];
                Windows((o, i) => y[o] += xs[0].Data[i] / (k * k));
                return new RefTensor(y, outShape);
            },
            (xs, g) =>
            {
                var dx = new double[xs[0].Size];
                Windows((o, i) => dx[i] += g.Data[o] / (k * k));
                return [new RefTensor(dx, xs[0].Shape)];
            });
    }

    public static RefOp GlobalAvgPool(int n, int c, int h, int w) => new("GlobalAvgPool",
        xs =>
        {
            var y = new double[n * c];
            for (int p = 0; p < n * c; p++)
                for (int i = 0; i < h * w; i++) y[p] += xs[0].Data[p * h * w + i] / (h * w);
            return new RefTensor(y, [n, c]);
        },
        (xs, g) =>
        {
            var dx = new double[xs[0].Size];
            for (int p = 0; p < n * c; p++)
                for (int i = 0; i < h * w; i++) dx[p * h * w + i] = g.Data[p] / (h * w);
            return [new RefTensor(dx, xs[0].Shape)];
        });

    /// <summary>Per-channel batch statistics of [n, c, hw]: mean and biased variance.</summary>
    public static (double[] Mean, double[] Var) ChannelStats(RefTensor x, int n, int c, int hw)
    {
        var mean = new double[c];
        var variance = new double[c];
        int m = n * hw;
        for (int ch = 0; ch < c; ch++)
        {
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++) mean[ch] += x.Data[(b * c + ch) * hw + i] / m;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++)
                {
                    double d = x.Data[(b * c + ch) * hw + i] - mean[ch];
                    variance[ch] += d * d / m;
                }
        }
        return (mean, variance);
    }

    /// <summary>
    /// Batch-norm of [n, c, h, w] with inputs (x, γ, β). Training normalises with the batch statistics
    /// (which depend on x); evaluation with the given running statistics (constants).
    /// </summary>
    public static RefOp BatchNorm(int n, int c, int hw, bool training, double eps, double[]? runningMean = null, double[]? runningVar = null)
    {
        (double[] Mean, double[] Rstd) Stats(RefTensor x)
        {
            var (mean, variance) = training ? ChannelStats(x, n, c, hw) : (runningMean!, runningVar!);
            return (mean, variance.Select(v => 1 / Math.Sqrt(v + eps)).ToArray());
        }
        return new RefOp(training ? "BatchNorm2d(train)" : "BatchNorm2d(eval)",
            xs =>
            {
                var (x, gamma, beta) = (xs[0], xs[1], xs[2]);
                var (mean, rstd) = Stats(x);
                var y = new double[x.Size];
                for (int i = 0; i < y.Length; i++)
                {
                    int ch = i / hw % c;
                    y[i] = (x.Data[i] - mean[ch]) * rstd[ch] * gamma.Data[ch] + beta.Data[ch];
                }
                return new RefTensor(y, x.Shape);
            },
            (xs, g) =>
            {
                var (x, gamma) = (xs[0], xs[1]);
                var (mean, rstd) = Stats(x);
                var dgamma = new double[c];
                var dbeta = new double[c];
                for (int i = 0; i < x.Size; i++)
                {
                    int ch = i / hw % c;
                    dbeta[ch] += g.Data[i];
                    dgamma[ch] += g.Data[i] * (x.Data[i] - mean[ch]) * rstd[ch];
                }
                var dx = new double[x.Size];
                int m = n * hw;
                for (int i = 0; i < x.Size; i++)
                {
                    int ch = i / hw % c;
                    double xhat = (x.Data[i] - mean[ch]) * rstd[ch];
                    dx[i] = training
                        ? gamma.Data[ch] * rstd[ch] * (g.Data[i] - dbeta[ch] / m - xhat * dgamma[ch] / m)
                        : gamma.Data[ch] * rstd[ch] * g.Data[i];
                }
                return [new RefTensor(dx, x.Shape), new RefTensor(dgamma, [c]), new RefTensor(dbeta, [c])];
            });
    }

    /// <summary>Layer-norm over the last axis of [rows, cols] with inputs (x, γ, β).</summary>
    public static RefOp LayerNorm(int rows, int cols, double eps)
    {
        (double Mean, double Rstd) Stats(RefTensor x, int r)
        {
            double mean = 0, variance = 0;
            for (int j = 0; j < cols; j++) mean += x.Data[r * cols + j] / cols;
            for (int j = 0; j < cols; j++) variance += Math.Pow(x.Data[r * cols + j] - mean, 2) / cols;
            return (mean, 1 / Math.Sqrt(variance + eps));
        }
        return new RefOp("LayerNorm",
            xs =>
            {
                var (x, gamma, beta) = (xs[0], xs[1], xs[2]);
                var y = new double[x.Size];
                for (int r = 0; r < rows; r++)
                {
                    var (mean, rstd) = Stats(x, r);
                    for (int j = 0; j < cols; j++) y[r * cols + j] = (x.Data[r * cols + j] - mean) * rstd * gamma.Data[j] + beta.Data[j];
                }
                return new RefTensor(y, x.Shape);
            },
            (xs, g) =>
            {
                var (x, gamma) = (xs[0], xs[1]);
                var dx = new double[x.Size];
                var dgamma = new double[cols];
                var dbeta = new double[cols];
                for (int r = 0; r < rows; r++)
                {
                    var (mean, rstd) = Stats(x, r);
                    double meanG = 0, meanGX = 0;
                    for (int j = 0; j < cols; j++)
                    {
                        int i = r * cols + j;
                        double xhat = (x.Data[i] - mean) * rstd, gj = g.Data[i] * gamma.Data[j];
                        meanG += gj / cols;
                        meanGX += gj * xhat / cols;
                        dgamma[j] += g.Data[i] * xhat;
                        dbeta[j] += g.Data[i];
                    }
                    for (int j = 0; j < cols; j++)
                    {
                        int i = r * cols + j;
                        double xhat = (x.Data[i] - mean) * rstd;
                        dx[i] = rstd * (g.Data[i] * gamma.Data[j] - meanG - xhat * meanGX);
                    }
                }
                return [new RefTensor(dx, x.Shape), new RefTensor(dgamma, [cols]), new RefTensor(dbeta, [cols])];
            });
    }
}
