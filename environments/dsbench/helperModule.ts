/** The `dsb.py` helper placed in the workspace when `helperModule: true` (keeps small policies' programs short). */
export const DSB_HELPER_FILE = 'dsb.py';

export const DSB_HELPER_SOURCE = `"""dsb: small helpers for DSBench workspaces (placed here by the environment; optional to use).

load_split(target, id_col)  -> X_train, y_train, X_test  (numeric; missing values filled and categories one-hot
                               encoded with statistics of train.csv only)
save(obj, name) / load(name) -> pickle a Python object to / from a file in this folder
fit_default(X, y, task=None) -> a fitted random forest (classifier or regressor; task guessed from y if omitted)
predict(model, X, proba=False) -> predictions (proba=True: probability of the positive class, binary tasks)
write_submission(pred, id_col, target, path='submission.csv') -> writes ids from test.csv and the predictions
files()                      -> names of the files in this folder
"""
import os
import pickle

import numpy as np
import pandas as pd


def files():
    return sorted(f for f in os.listdir('.') if not f.startswith('.') and f != '__pycache__')


def load_split(target, id_col=None):
    train = pd.read_csv('train.csv')
    test = pd.read_csv('test.csv')
    targets = [target] if isinstance(target, str) else list(target)
    y = train[targets[0]] if len(targets) == 1 else train[targets]
    drop = set(targets) | ({id_col} if id_col else set())
    cols = [c for c in train.columns if c not in drop and c in test.columns]
    X, Xt = train[cols].copy(), test[cols].copy()
    num = [c for c in cols if pd.api.types.is_numeric_dtype(X[c])]
    med = X[num].median()
    X[num] = X[num].fillna(med)
    Xt[num] = Xt[num].fillna(med)
    cat = [c for c in cols if c not in num]
    X = pd.get_dummies(X, columns=cat, dummy_na=True, dtype=float)
    Xt = pd.get_dummies(Xt, columns=cat, dummy_na=True, dtype=float).reindex(columns=X.columns, fill_value=0.0)
    print(f'load_split: X_train {X.shape}, X_test {Xt.shape}, target {targets[0] if len(targets) == 1 else targets}')
    return X.astype(float), y, Xt.astype(float)


def save(obj, name):
    with open(name, 'wb') as f:
        pickle.dump(obj, f)
    print(f'saved {name}')


def load(name):
    with open(name, 'rb') as f:
        return pickle.load(f)


def task_of(y):
    y = pd.Series(np.asarray(y).ravel())
    if not pd.api.types.is_numeric_dtype(y) or y.dtype == bool:
        return 'classification'
    vals = y.dropna().unique()
    if len(vals) <= 10 and np.all(np.mod(vals.astype(float), 1) == 0):
        return 'classification'
    return 'regression'


def fit_default(X, y, task=None):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    task = task or task_of(y)
    Model = RandomForestClassifier if task == 'classification' else RandomForestRegressor
    model = Model(n_estimators=100, min_samples_leaf=2, random_state=0, n_jobs=1)
    model.fit(X, y)
    print(f'fit_default: {type(model).__name__} on {len(X)} rows ({task})')
    return model


def predict(model, X, proba=False):
    if proba and hasattr(model, 'predict_proba'):
        return model.predict_proba(X)[:, -1]
    return model.predict(X)


def write_submission(pred, id_col, target, path='submission.csv'):
    test = pd.read_csv('test.csv')
    pd.DataFrame({id_col: test[id_col], target: np.asarray(pred).ravel()}).to_csv(path, index=False)
    print(f'wrote {path}: {len(test)} rows, columns {id_col},{target}')
`;

/** One-line-per-function summary shown in prompts when the helper is present. */
export const DSB_HELPER_DOC = [
  "import dsb",
  "dsb.load_split(target, id_col) -> X_train, y_train, X_test (numeric, encoded with train statistics)",
  "dsb.save(obj, 'name.pkl') / dsb.load('name.pkl')",
  "dsb.fit_default(X, y, task) -> fitted random forest ('classification' or 'regression')",
  "dsb.predict(model, X, proba=False) -> predictions (proba=True: positive-class probability)",
  "dsb.write_submission(pred, id_col, target) -> submission.csv with ids from test.csv",
].join('\n');
