/** The `dsb.py` helper placed in the workspace when `helperModule: true` (keeps small policies' programs short). */
export const DSB_HELPER_FILE = 'dsb.py';

export const DSB_HELPER_SOURCE = `"""dsb: short helpers for DSBench workspaces (placed here by the environment; optional to use).

prep(target=None, fit_on='train') -> X_train, y_train, X_test as numpy arrays: missing numbers filled with medians
    and categories one-hot encoded, using statistics of train.csv (fit_on='all': of train.csv and test.csv together,
    which leaks the test set). target: the label column (default: the prediction column of sample_submission.csv)
save(X_train=X, y_train=y, ...) or save(obj, 'name.pkl') -> pickles each object to <name>.pkl
load('X_train', 'y_train', ...) -> the pickled objects ('.pkl' optional; several names give a tuple)
fit(X, y, task) -> a fitted random forest; task: 'classification' or 'regression'
submit(model, X, proba=False, col=None) -> writes submission.csv: ids from test.csv and the predictions
    (proba=True: positive-class probability; col: prediction column, default from sample_submission.csv)
files() -> names of the files in this folder
"""
import csv
import os
import pickle

import numpy as np


def files():
    return sorted(f for f in os.listdir('.') if not f.startswith('.') and f != '__pycache__')


def _header(path):
    with open(path, newline='') as f:
        return next(csv.reader(f))


def _columns():
    """Id column and prediction column(s), from sample_submission.csv (else: first and last column of train.csv)."""
    if os.path.exists('sample_submission.csv'):
        head = _header('sample_submission.csv')
        return head[0], head[1:]
    head = _header('train.csv')
    return head[0], head[-1:]


def prep(target=None, fit_on='train'):
    import pandas as pd
    if fit_on not in ('train', 'all'):
        raise ValueError("fit_on must be 'train' or 'all'")
    id_col, targets = _columns()
    if target is not None:
        targets = [target] if isinstance(target, str) else list(target)
    train = pd.read_csv('train.csv')
    test = pd.read_csv('test.csv')
    y = train[targets[0]] if len(targets) == 1 else train[targets]
    cols = [c for c in train.columns if c not in set(targets) | {id_col} and c in test.columns]
    X, Xt = train[cols].copy(), test[cols].copy()
    both = pd.concat([X, Xt]) if fit_on == 'all' else X
    num = [c for c in cols if pd.api.types.is_numeric_dtype(X[c])]
    med = both[num].median()
    X[num] = X[num].fillna(med)
    Xt[num] = Xt[num].fillna(med)
    cat = [c for c in cols if c not in num]
    if fit_on == 'all':
        enc = pd.get_dummies(pd.concat([X, Xt]), columns=cat, dummy_na=True, dtype=float)
        X, Xt = enc.iloc[:len(X)], enc.iloc[len(X):]
    else:
        X = pd.get_dummies(X, columns=cat, dummy_na=True, dtype=float)
        Xt = pd.get_dummies(Xt, columns=cat, dummy_na=True, dtype=float).reindex(columns=X.columns, fill_value=0.0)
    print(f'prep: X_train {X.shape}, X_test {Xt.shape}, target {targets[0] if len(targets) == 1 else targets}')
    return X.to_numpy(float), y.to_numpy(), Xt.to_numpy(float)


def _pkl(name):
    return name if name.endswith('.pkl') else name + '.pkl'


def save(obj=None, name=None, **named):
    items = list(named.items())
    if name is not None:
        items.insert(0, (name, obj))
    elif obj is not None:
        raise TypeError("save(obj, 'name.pkl') or save(name=obj, ...)")
    for key, value in items:
        with open(_pkl(key), 'wb') as f:
            pickle.dump(value, f)
        print(f'saved {_pkl(key)}')


def load(*names):
    out = []
    for name in names:
        with open(_pkl(name), 'rb') as f:
            out.append(pickle.load(f))
    return out[0] if len(out) == 1 else tuple(out)


def fit(X, y, task):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    if task not in ('classification', 'regression'):
        raise ValueError("task must be 'classification' or 'regression'")
    Model = RandomForestClassifier if task == 'classification' else RandomForestRegressor
    model = Model(n_estimators=60, min_samples_leaf=2, random_state=0, n_jobs=1)
    model.fit(X, np.asarray(y).ravel() if np.ndim(y) == 2 and np.shape(y)[1] == 1 else y)
    print(f'fit: {type(model).__name__} on {len(X)} rows')
    return model


def submit(model, X, proba=False, col=None):
    id_col, targets = _columns()
    if col is not None:
        targets = [col] if isinstance(col, str) else list(col)
    pred = model.predict_proba(X)[:, -1] if proba and hasattr(model, 'predict_proba') else model.predict(X)
    pred = np.asarray(pred).reshape(len(X), -1)
    with open('test.csv', newline='') as f:
        rows = csv.reader(f)
        head = next(rows)
        ids = [r[head.index(id_col)] for r in rows]
    if len(ids) != len(pred):
        raise ValueError(f'{len(pred)} predictions for the {len(ids)} rows of test.csv')
    with open('submission.csv', 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow([id_col, *targets])
        for i, p in zip(ids, pred):
            w.writerow([i, *p.tolist()])
    print(f'wrote submission.csv: {len(pred)} rows, columns {id_col},{",".join(targets)}')
`;

/** One-line-per-function summary shown in prompts when the helper is present. */
export const DSB_HELPER_DOC = [
  'import dsb',
  "X, y, Xt = dsb.prep() -> X_train, y_train, X_test (numeric; encoded with train.csv statistics; target from sample_submission.csv)",
  "dsb.save(X_train=X, y_train=y, X_test=Xt) -> X_train.pkl, y_train.pkl, X_test.pkl; dsb.load('X_train', 'y_train') -> objects",
  "dsb.fit(X, y, 'classification' | 'regression') -> fitted random forest",
  'dsb.submit(model, Xt, proba=False) -> submission.csv with ids from test.csv (proba=True: positive-class probability)',
].join('\n');
