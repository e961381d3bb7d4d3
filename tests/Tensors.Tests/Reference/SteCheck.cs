namespace SparseCore.Tensors.Tests.Reference;

/// <summary>
/// Checks a score mask's straight-through estimator against its definition. Finite differences
/// through the |s| → m top-k are zero almost everywhere (the STE is by design not the true
/// derivative), so the loss is differentiated numerically as a function of W_eff = W ⊙ m instead,
/// and the STE's gradients must be dW = m ⊙ ∂L/∂W_eff and dScores = sign(s) ⊙ ∂L/∂W_eff ⊙ W.
/// </summary>
public static class SteCheck
{
    /// <summary>The loss both sides use: L(v) = Σ r ⊙ tanh(v), non-linear so that ∂L/∂v depends on v.</summary>
    public static double Loss(double[] v, double[] r)
    {
        double sum = 0;
        for (int i = 0; i < v.Length; i++) sum += r[i] * Math.Tanh(v[i]);
        return sum;
    }

    /// <summary>∂L/∂v by central differences of the whole loss, in double.</summary>
    public static double[] NumericGradient(double[] v, double[] r, double h = 1e-5)
    {
        var grad = new double[v.Length];
        var shifted = (double[])v.Clone();
        for (int i = 0; i < v.Length; i++)
        {
            shifted[i] = v[i] + h;
            double up = Loss(shifted, r);
            shifted[i] = v[i] - h;
            double down = Loss(shifted, r);
            shifted[i] = v[i];
            grad[i] = (up - down) / (2 * h);
        }
        return grad;
    }

    /// <summary>
    /// The worse of the normwise errors ‖dW − m ⊙ g‖ / ‖m ⊙ g‖ and ‖dScores − sign(s) ⊙ g ⊙ W‖ / ‖sign(s) ⊙ g ⊙ W‖,
    /// g = <see cref="NumericGradient"/> at W ⊙ m.
    /// </summary>
    public static double Error(float[] w, float[] s, float[] m, double[] r, float[] dW, float[] dScores)
    {
        var g = NumericGradient(w.Select((x, i) => (double)x * m[i]).ToArray(), r);
        var wantDw = g.Select((x, i) => x * m[i]).ToArray();
        var wantDs = g.Select((x, i) => Math.Sign((double)s[i]) * x * w[i]).ToArray();
        return Math.Max(Norms.RelativeError(dW, wantDw), Norms.RelativeError(dScores, wantDs));
    }
}
