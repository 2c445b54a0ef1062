namespace Repro.Measurement.Localization;

/// <summary>
/// The order numpy's default <c>np.argsort</c> (kind "quicksort") gives a 1-D float64 array on the scalar path of
/// numpy 1.24 (npysort/quicksort.cpp, aquicksort_): an introsort, median-of-three quicksort partitions until a part
/// holds at most 16 elements, insertion sort then, heapsort for a part popped once the depth limit 2·floor(log2 n)
/// is spent. Checked against numpy 1.24.2 on random tied arrays (NumpyArgsortTests). It is not stable:
/// equal values come out in an order fixed by the whole array, which the paper fidelity needs to score ties as
/// the authors did. NaN sorts last, as numpy's comparison does.
/// </summary>
public static class NumpyArgsort
{
    const int SmallQuicksort = 15;

    /// <summary>Indices of <paramref name="values"/> in ascending order, as <c>np.argsort(values)</c> returns them.</summary>
    public static int[] Quicksort(ReadOnlySpan<double> values)
    {
        var order = new int[values.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        if (order.Length > 1) Sort(values, order);
        return order;
    }

    static bool Less(double a, double b) => a < b || (double.IsNaN(b) && !double.IsNaN(a));

    static void Swap(int[] a, int i, int j) => (a[i], a[j]) = (a[j], a[i]);

    static void Sort(ReadOnlySpan<double> v, int[] tosort)
    {
        var stack = new Stack<(int Left, int Right, int Depth)>();
        int pl = 0, pr = tosort.Length - 1;
        var depth = 2 * MostSignificantBit(tosort.Length);
        while (true)
        {
            if (depth < 0)
                HeapSort(v, tosort, pl, pr - pl + 1);
            else
            {
                while (pr - pl > SmallQuicksort)
                {
                    var pm = pl + ((pr - pl) >> 1);
                    if (Less(v[tosort[pm]], v[tosort[pl]])) Swap(tosort, pm, pl);
                    if (Less(v[tosort[pr]], v[tosort[pm]])) Swap(tosort, pr, pm);
                    if (Less(v[tosort[pm]], v[tosort[pl]])) Swap(tosort, pm, pl);
                    var pivot = v[tosort[pm]];
                    int pi = pl, pj = pr - 1;
                    Swap(tosort, pm, pj);
                    while (true)
                    {
                        do ++pi; while (Less(v[tosort[pi]], pivot));
                        do --pj; while (Less(pivot, v[tosort[pj]]));
                        if (pi >= pj) break;
                        Swap(tosort, pi, pj);
                    }
                    Swap(tosort, pi, pr - 1);
                    // the larger part waits on the stack, the smaller is sorted next
                    depth--;
                    if (pi - pl < pr - pi) { stack.Push((pi + 1, pr, depth)); pr = pi - 1; }
                    else { stack.Push((pl, pi - 1, depth)); pl = pi + 1; }
                }
                for (var pi = pl + 1; pi <= pr; pi++)
                {
                    var vi = tosort[pi];
                    var vp = v[vi];
                    var pj = pi;
                    while (pj > pl && Less(vp, v[tosort[pj - 1]])) { tosort[pj] = tosort[pj - 1]; pj--; }
                    tosort[pj] = vi;
                }
            }
            if (stack.Count == 0) break;
            (pl, pr, depth) = stack.Pop();
        }
    }

    /// <summary>numpy's aheapsort_ on tosort[start .. start+n), one-based heap indexing.</summary>
    static void HeapSort(ReadOnlySpan<double> v, int[] tosort, int start, int n)
    {
        // a[k] of numpy's code is tosort[start + k - 1]
        int A(int k) => start + k - 1;
        for (var l = n >> 1; l > 0; l--)
            SiftDown(v, tosort, A, tosort[A(l)], l, n);
        for (; n > 1;)
        {
            var tmp = tosort[A(n)];
            tosort[A(n)] = tosort[A(1)];
            n--;
            SiftDown(v, tosort, A, tmp, 1, n);
        }
    }

    static void SiftDown(ReadOnlySpan<double> v, int[] tosort, Func<int, int> a, int tmp, int i, int n)
    {
        for (var j = i << 1; j <= n;)
        {
            if (j < n && Less(v[tosort[a(j)]], v[tosort[a(j + 1)]])) j++;
            if (Less(v[tmp], v[tosort[a(j)]])) { tosort[a(i)] = tosort[a(j)]; i = j; j += j; }
            else break;
        }
        tosort[a(i)] = tmp;
    }

    static int MostSignificantBit(int n)
    {
        var bit = 0;
        while ((n >>= 1) != 0) bit++;
        return bit;
    }
}
