namespace SparseCore.Tensors;

public static partial class F
{
    /// <summary>
    /// min(max(x, lo), hi) with torch.clamp's gradient: the incoming gradient where lo ≤ x ≤ hi
    /// (bounds included), zero outside. Composed as x + relu(lo − x) − relu(x − hi) so it needs no
    /// kernel of its own; relu's derivative is 0 at 0, which is what makes the bounds pass the
    /// gradient — a prompt added to a black (0) pixel must still learn. The value is exact whenever
    /// lo − x and x − hi are (always for [0, 1] and |x| &lt; 2²⁴).
    /// </summary>
    public static Tensor Clamp(Tensor x, float lo, float hi)
    {
        if (!(lo <= hi)) throw new ArgumentException($"Clamp: lo must not exceed hi, got lo={lo}, hi={hi}");
        var below = Relu(Affine(x, -1f, lo));
        var above = Relu(Affine(x, 1f, -hi));
        return Sub(Add(x, below), above);
    }
}
