namespace SparseCore.Tensors.Tests.Reference;

/// <summary>Central finite differences of L(x) = Σ r ⊙ f(x) against the analytic backward.</summary>
public static class GradCheck
{
    /// <summary>
    /// The worst normwise relative error ‖analytic − numeric‖ / ‖numeric‖ over the inputs, checking
    /// at most <paramref name="maxCoordinates"/> coordinates per input (chosen by seed).
    /// Inputs listed in <paramref name="skip"/> (e.g. labels) are not differentiated.
    /// </summary>
    public static double MaxError(RefOp op, RefTensor[] inputs, int seed = 7, int maxCoordinates = 64, double h = 1e-6, ISet<int>? skip = null)
    {
        var rng = new System.Random(seed);
        var y = op.Forward(inputs);
        var r = RefTensor.Random(rng, y.Shape);
        var analytic = op.Backward(inputs, r);
        double worst = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            if (skip?.Contains(k) == true) continue;
            int n = inputs[k].Size;
            var coords = n <= maxCoordinates ? Enumerable.Range(0, n).ToArray() : Enumerable.Range(0, maxCoordinates).Select(_ => rng.Next(n)).Distinct().ToArray();
            double diff2 = 0, norm2 = 0;
            foreach (int i in coords)
            {
                double numeric = (Loss(op, inputs, k, i, h, r) - Loss(op, inputs, k, i, -h, r)) / (2 * h);
                double d = analytic[k].Data[i] - numeric;
                diff2 += d * d;
                norm2 += numeric * numeric;
            }
            worst = Math.Max(worst, Math.Sqrt(diff2) / Math.Max(Math.Sqrt(norm2), 1e-12));
        }
        return worst;
    }

    private static double Loss(RefOp op, RefTensor[] inputs, int k, int i, double delta, RefTensor r)
    {
        var shifted = inputs.Select(t => t).ToArray();
        shifted[k] = inputs[k].Copy();
        shifted[k].Data[i] += delta;
        var y = op.Forward(shifted);
        double sum = 0;
        for (int j = 0; j < y.Size; j++) sum += y.Data[j] * r.Data[j];
        return sum;
    }
}
