namespace SparseCore.Kernels.Masked;

/// <summary>The one rule both backends use to pick the score kept when none reaches the threshold.</summary>
internal static class ThresholdMaskMath
{
    /// <summary>Whether (v, i) is a better fallback than (best, bestIndex): larger, ties to the smaller index, NaN never larger.</summary>
    public static bool Beats(float v, int i, float best, int bestIndex)
    {
        if (float.IsNaN(v)) return false;
        if (float.IsNaN(best)) return true;
        return v > best || (v == best && i < bestIndex);
    }
}
