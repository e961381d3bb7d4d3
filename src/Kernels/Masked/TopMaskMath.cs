namespace SparseCore.Kernels.Masked;

/// <summary>The one ranking both backends' top mask uses.</summary>
internal static class TopMaskMath
{
    /// <summary>
    /// Whether score (v, i) ranks before (w, j): larger first, NaN after every number (as
    /// float.CompareTo orders it), equal values (NaN with NaN too) by the smaller index.
    /// </summary>
    public static bool Before(float v, int i, float w, int j)
    {
        bool vNaN = float.IsNaN(v), wNaN = float.IsNaN(w);
        if (vNaN != wNaN) return wNaN;
        if (!vNaN && v != w) return v > w;
        return i < j;
    }
}
