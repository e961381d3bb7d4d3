namespace SparseCore.Kernels.Conv;

/// <summary>
/// The last few values built for a key, most recently used first: the conv forms' per-geometry
/// tables (<see cref="LaneTiling"/>, <see cref="ShiftedScatter"/>), which depend on a layer's shape
/// alone, cost microseconds to build on the calling thread before the team starts, and are
/// immutable once built — so every caller may share them. A value is built outside the lock (two
/// callers may both build one; either is right), and one pushed out is left to the GC.
/// </summary>
internal sealed class RecentlyBuilt<TKey, TValue>(int kept) where TKey : IEquatable<TKey> where TValue : class
{
    private readonly LinkedList<(TKey Key, TValue Value)> recent = new();

    public TValue Get<TState>(TKey key, TState state, Func<TState, TValue> build)
    {
        lock (recent)
        {
            for (var node = recent.First; node is not null; node = node.Next)
                if (node.Value.Key.Equals(key))
                {
                    recent.Remove(node);
                    recent.AddFirst(node);
                    return node.Value.Value;
                }
        }
        var value = build(state);
        lock (recent)
        {
            recent.AddFirst((key, value));
            if (recent.Count > kept) recent.RemoveLast();
        }
        return value;
    }
}
