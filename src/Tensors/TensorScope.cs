namespace SparseCore.Tensors;

/// <summary>
/// Deterministic release of intermediates: every tensor created while a scope is innermost is
/// disposed with it, unless <see cref="Keep{T}"/> hands it to the enclosing scope (or to the caller
/// when there is none). The autograd tape recorded inside the scope is dropped with it too, so a
/// forward pass that was never backpropagated cannot grow the tape. Tensors created outside any
/// scope (parameters, optimizer state) belong to whoever created them.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? current;

    private readonly TensorScope? parent;
    private readonly List<IDisposable> owned = new();
    private readonly int tapeMark;
    private bool disposed;

    public TensorScope()
    {
        parent = current;
        current = this;
        tapeMark = Tape.Current.Count;
    }

    internal static void Register(IDisposable item) => current?.owned.Add(item);

    /// <summary>Removes an item from whichever open scope holds it (innermost first).</summary>
    internal static void Unregister(IDisposable item)
    {
        for (var s = current; s is not null; s = s.parent)
            if (s.owned.Remove(item)) return;
    }

    /// <summary>Moves <paramref name="item"/> out of this scope into the enclosing one.</summary>
    public T Keep<T>(T item) where T : IDisposable
    {
        if (owned.Remove(item)) parent?.owned.Add(item);
        return item;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (!ReferenceEquals(current, this))
            throw new InvalidOperationException("TensorScope disposed out of order: an inner scope is still open");
        current = parent;
        Tape.Current.Truncate(tapeMark);
        for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
        owned.Clear();
    }
}
