import type { Rng } from '../../../core/util/Rng.js';
import type { TaskType } from '../DsbenchTaskMeta.js';
import { bernoulli, choice, clip, fixed, normal, poisson, sigmoid, softmax, uniform } from './sampling.js';

/** One generated example: formatted feature cells ('' = missing), the observed target and an oracle prediction. */
export interface MiniRow {
  readonly features: Readonly<Record<string, string>>;
  readonly target: string;
  /** What a model that knows the generating process predicts (label, probability or expected value). */
  readonly oracle: string;
}

/** A seeded synthetic Kaggle-style task of dsbench-mini. */
export interface MiniTaskSpec {
  readonly name: string;
  readonly split: 'train' | 'test';
  readonly taskType: TaskType;
  readonly metric: string;
  readonly target: string;
  readonly idColumn: string;
  readonly title: string;
  readonly description: string;
  /** What the submission must contain, e.g. "the probability that the customer left the bank". */
  readonly predict: string;
  readonly columns: ReadonlyArray<readonly [name: string, doc: string]>;
  readonly trainRows: number;
  readonly testRows: number;
  /** First id of sequential numeric ids (train ids first, then test ids). */
  readonly idStart?: number;
  /** Custom ids for all rows (train first); each part is sorted. */
  readonly ids?: (rng: Rng, count: number) => string[];
  readonly row: (rng: Rng, id: string) => MiniRow;
}

const label = (p: number) => (p > 0.5 ? '1' : '0');

const titanic: MiniTaskSpec = {
  name: 'titanic-mini',
  split: 'train',
  taskType: 'classification',
  metric: 'accuracy',
  target: 'Survived',
  idColumn: 'PassengerId',
  title: 'Titanic mini: who survived?',
  description: 'Predict which passengers survived a shipwreck from their ticket class, sex, age, family aboard, fare and port of embarkation. Age and Embarked have missing values; Sex and Embarked are categorical.',
  predict: 'whether the passenger survived (1) or not (0)',
  columns: [
    ['Pclass', 'ticket class (1 = first, 2 = second, 3 = third)'],
    ['Sex', 'male or female'],
    ['Age', 'age in years (missing for some passengers)'],
    ['SibSp', 'number of siblings or spouses aboard'],
    ['Fare', 'ticket fare'],
    ['Embarked', 'port of embarkation: C, Q or S (a few are missing)'],
  ],
  trainRows: 300,
  testRows: 100,
  idStart: 1,
  row: (rng) => {
    const pclass = choice(rng, [1, 2, 3], [0.25, 0.25, 0.5]);
    const female = bernoulli(rng, 0.38);
    const age = clip(normal(rng, 30, 13), 1, 75);
    const ageMissing = bernoulli(rng, 0.15);
    const sibsp = choice(rng, [0, 1, 2, 3], [0.65, 0.25, 0.07, 0.03]);
    const fare = Math.exp(normal(rng, Math.log(90 / pclass ** 1.6), 0.45));
    const embarked = choice(rng, ['S', 'C', 'Q'], [0.7, 0.2, 0.1]);
    const embarkedMissing = bernoulli(rng, 0.02);
    const p = sigmoid(-0.7 + 2.5 * (female ? 1 : 0) - 1.0 * (pclass - 2) - 0.03 * (age - 30) - 0.35 * sibsp + 0.3 * (embarked === 'C' ? 1 : 0));
    return {
      features: {
        Pclass: String(pclass),
        Sex: female ? 'female' : 'male',
        Age: ageMissing ? '' : fixed(age, 1),
        SibSp: String(sibsp),
        Fare: fixed(fare, 2),
        Embarked: embarkedMissing ? '' : embarked,
      },
      target: bernoulli(rng, p) ? '1' : '0',
      oracle: label(p),
    };
  },
};

const churn: MiniTaskSpec = {
  name: 'churn-mini',
  split: 'train',
  taskType: 'classification',
  metric: 'roc_auc',
  target: 'Exited',
  idColumn: 'id',
  title: 'Bank churn mini',
  description: 'Predict the probability that a bank customer closes their account, from credit score, country, age, balance, number of products and activity.',
  predict: 'the probability (between 0 and 1) that the customer exited',
  columns: [
    ['CreditScore', 'credit score'],
    ['Geography', 'France, Germany or Spain'],
    ['Age', 'age in years'],
    ['Balance', 'account balance'],
    ['NumOfProducts', 'number of bank products used'],
    ['IsActiveMember', '1 if the customer is active'],
  ],
  trainRows: 300,
  testRows: 100,
  idStart: 15000,
  row: (rng) => {
    const score = Math.round(clip(normal(rng, 650, 90), 350, 850));
    const geo = choice(rng, ['France', 'Germany', 'Spain'], [0.5, 0.25, 0.25]);
    const age = Math.round(clip(normal(rng, 38, 10), 18, 80));
    const balance = bernoulli(rng, 0.35) ? 0 : Math.max(0, normal(rng, 110000, 30000));
    const products = choice(rng, [1, 2, 3], [0.5, 0.45, 0.05]);
    const active = bernoulli(rng, 0.5) ? 1 : 0;
    const z = -1.5 + 0.08 * (age - 38) + 0.8 * (geo === 'Germany' ? 1 : 0) - 1.0 * active + 1.8 * (products === 3 ? 1 : 0) - 0.7 * (products === 2 ? 1 : 0) + 0.000005 * (balance - 50000) - 0.002 * (score - 650);
    const p = sigmoid(z);
    return {
      features: { CreditScore: String(score), Geography: geo, Age: String(age), Balance: fixed(balance, 2), NumOfProducts: String(products), IsActiveMember: String(active) },
      target: bernoulli(rng, p) ? '1' : '0',
      oracle: fixed(p, 4),
    };
  },
};

const STUDENT = ['Dropout', 'Enrolled', 'Graduate'] as const;
const studentOutcome: MiniTaskSpec = {
  name: 'student-outcome-mini',
  split: 'train',
  taskType: 'classification',
  metric: 'accuracy',
  target: 'Target',
  idColumn: 'id',
  title: 'Student outcome mini: academic risk',
  description: 'Predict whether a student graduates, drops out or is still enrolled, from enrolment age, scholarship, debt and tuition status and first-semester results. The target is a categorical (string) label.',
  predict: 'the class of Target: Graduate, Dropout or Enrolled',
  columns: [
    ['age_at_enrollment', 'age when enrolling'],
    ['scholarship_holder', '1 if the student has a scholarship'],
    ['debtor', '1 if the student owes money'],
    ['tuition_up_to_date', '1 if tuition fees are paid'],
    ['units_1st_sem_approved', 'curricular units approved in the first semester'],
    ['grade_1st_sem', 'mean grade in the first semester (0 to 18)'],
  ],
  trainRows: 300,
  testRows: 100,
  idStart: 76518,
  row: (rng) => {
    const age = Math.round(clip(normal(rng, 23, 6), 17, 60));
    const scholarship = bernoulli(rng, 0.25) ? 1 : 0;
    const debtor = bernoulli(rng, 0.12) ? 1 : 0;
    const tuition = bernoulli(rng, 0.88) ? 1 : 0;
    const units = choice(rng, [0, 1, 2, 3, 4, 5, 6, 7, 8], [0.1, 0.04, 0.05, 0.07, 0.1, 0.16, 0.22, 0.14, 0.12]);
    const grade = units === 0 ? 0 : clip(normal(rng, 12.5, 2), 0, 18);
    const scores = [
      -0.7 * units + 2.2 * (1 - tuition) + 1.0 * debtor + 0.09 * (age - 20) + 2.0,
      0,
      0.6 * units + 0.3 * (grade - 12) + 1.0 * scholarship - 1.5 * (1 - tuition) - 0.05 * (age - 20) - 1.8,
    ];
    const probs = softmax(scores);
    const best = probs.indexOf(Math.max(...probs));
    return {
      features: {
        age_at_enrollment: String(age),
        scholarship_holder: String(scholarship),
        debtor: String(debtor),
        tuition_up_to_date: String(tuition),
        units_1st_sem_approved: String(units),
        grade_1st_sem: fixed(grade, 2),
      },
      target: choice(rng, STUDENT, probs),
      oracle: STUDENT[best]!,
    };
  },
};

const bmiClass = (bmi: number) => (bmi < 18.5 ? 'Insufficient_Weight' : bmi < 25 ? 'Normal_Weight' : bmi < 30 ? 'Overweight' : 'Obesity');
const obesity: MiniTaskSpec = {
  name: 'obesity-mini',
  split: 'train',
  taskType: 'classification',
  metric: 'f1_weighted',
  target: 'NObeyesdad',
  idColumn: 'id',
  title: 'Obesity risk mini',
  description: 'Predict the obesity category of a person from gender, age, height, weight and lifestyle answers. The target is a categorical (string) label with four classes.',
  predict: 'the class of NObeyesdad: Insufficient_Weight, Normal_Weight, Overweight or Obesity',
  columns: [
    ['Gender', 'Male or Female'],
    ['Age', 'age in years'],
    ['Height', 'height in metres'],
    ['Weight', 'weight in kilograms'],
    ['FAVC', 'frequent consumption of high-calorie food (yes/no)'],
    ['FAF', 'physical activity frequency (0 to 3)'],
  ],
  trainRows: 300,
  testRows: 100,
  idStart: 20758,
  row: (rng) => {
    const male = bernoulli(rng, 0.5);
    const age = Math.round(clip(normal(rng, 26, 7), 14, 61));
    const height = clip(normal(rng, male ? 1.77 : 1.63, 0.07), 1.45, 1.98);
    const favc = bernoulli(rng, 0.8);
    const faf = clip(normal(rng, 1, 0.8), 0, 3);
    const bmiTrue = clip(normal(rng, 26 + (favc ? 1.5 : -1.5) - 1.2 * (faf - 1), 6), 15, 50);
    const weight = bmiTrue * height * height;
    const observedBmi = bmiTrue + normal(rng, 0, 1.5);
    return {
      features: { Gender: male ? 'Male' : 'Female', Age: String(age), Height: fixed(height, 2), Weight: fixed(weight, 1), FAVC: favc ? 'yes' : 'no', FAF: fixed(faf, 1) },
      target: bmiClass(observedBmi),
      oracle: bmiClass(bmiTrue),
    };
  },
};

const fraud: MiniTaskSpec = {
  name: 'fraud-mini',
  split: 'test',
  taskType: 'classification',
  metric: 'f1',
  target: 'is_fraud',
  idColumn: 'transaction_id',
  title: 'Card fraud mini (imbalanced)',
  description: 'Flag fraudulent card transactions. Only a small fraction of transactions are fraudulent, so always predicting "not fraud" gets a high accuracy but an F1 score of 0.',
  predict: 'whether the transaction is fraudulent (1) or not (0)',
  columns: [
    ['amount', 'transaction amount'],
    ['hour', 'hour of the day (0-23)'],
    ['merchant_category', 'grocery, fuel, travel, online or electronics'],
    ['foreign', '1 if the card was used abroad'],
    ['n_tx_24h', 'number of transactions with the same card in the previous 24 hours'],
  ],
  trainRows: 500,
  testRows: 200,
  idStart: 500000,
  row: (rng) => {
    const logAmount = normal(rng, 3.5, 1);
    const hour = rng.int(0, 23);
    const cat = choice(rng, ['grocery', 'fuel', 'travel', 'online', 'electronics'], [0.35, 0.2, 0.1, 0.25, 0.1]);
    const foreign = bernoulli(rng, 0.1) ? 1 : 0;
    const ntx = poisson(rng, 3);
    const z = -5.0 + 2.2 * (logAmount - 3.5) + 3.0 * foreign + 2.6 * (hour < 5 ? 1 : 0) + 1.6 * (cat === 'electronics' || cat === 'online' ? 1 : 0) + 0.4 * (ntx - 3);
    const p = sigmoid(z);
    return {
      features: { amount: fixed(Math.exp(logAmount), 2), hour: String(hour), merchant_category: cat, foreign: String(foreign), n_tx_24h: String(ntx) },
      target: bernoulli(rng, p) ? '1' : '0',
      oracle: label(p),
    };
  },
};

const wine: MiniTaskSpec = {
  name: 'wine-quality-mini',
  split: 'test',
  taskType: 'classification',
  metric: 'accuracy',
  target: 'quality',
  idColumn: 'Id',
  title: 'Wine quality mini',
  description: 'Predict the quality grade (an integer from 4 to 8) of a wine from its chemical measurements.',
  predict: 'the integer quality grade',
  columns: [
    ['alcohol', 'alcohol content (%)'],
    ['volatile_acidity', 'volatile acidity (g/L)'],
    ['sulphates', 'sulphates (g/L)'],
    ['citric_acid', 'citric acid (g/L)'],
    ['pH', 'pH'],
  ],
  trainRows: 300,
  testRows: 100,
  idStart: 2056,
  row: (rng) => {
    const alcohol = clip(normal(rng, 10.4, 1), 8, 14.5);
    const va = clip(normal(rng, 0.5, 0.15), 0.1, 1.2);
    const sulph = clip(normal(rng, 0.65, 0.15), 0.3, 1.5);
    const citric = uniform(rng, 0, 0.7);
    const ph = clip(normal(rng, 3.3, 0.15), 2.8, 3.9);
    const mean = 5.8 + 0.7 * (alcohol - 10.4) - 2.5 * (va - 0.5) + 2.0 * (sulph - 0.65) + 0.5 * (citric - 0.35);
    const grade = (x: number) => String(Math.round(clip(x, 4, 8)));
    return {
      features: { alcohol: fixed(alcohol, 1), volatile_acidity: fixed(va, 2), sulphates: fixed(sulph, 2), citric_acid: fixed(citric, 2), pH: fixed(ph, 2) },
      target: grade(mean + normal(rng, 0, 0.5)),
      oracle: grade(mean),
    };
  },
};

const housing: MiniTaskSpec = {
  name: 'housing-mini',
  split: 'train',
  taskType: 'regression',
  metric: 'rmse',
  target: 'MedHouseVal',
  idColumn: 'id',
  title: 'California housing mini',
  description: 'Predict the median house value of a district (in units of 100,000 USD) from income, house age, rooms, location and population. The value is close to a linear function of the features plus noise.',
  predict: 'the median house value MedHouseVal',
  columns: [
    ['MedInc', 'median income of the district (10,000 USD)'],
    ['HouseAge', 'median house age'],
    ['AveRooms', 'average rooms per household'],
    ['Latitude', 'latitude'],
    ['Longitude', 'longitude'],
    ['Population', 'district population'],
  ],
  trainRows: 300,
  testRows: 100,
  idStart: 37137,
  row: (rng) => {
    const inc = clip(normal(rng, 3.8, 1.6), 0.5, 15);
    const hage = rng.int(1, 52);
    const rooms = clip(normal(rng, 5.3, 1), 2, 10);
    const lat = uniform(rng, 32.5, 42);
    const lon = uniform(rng, -124, -114);
    const pop = Math.round(Math.exp(normal(rng, 7.1, 0.6)));
    const mean = 0.3 + 0.45 * inc + 0.01 * hage + 0.1 * (rooms - 5) - 0.12 * (lat - 35);
    const value = (x: number) => fixed(clip(x, 0.15, 5), 3);
    return {
      features: { MedInc: fixed(inc, 4), HouseAge: String(hage), AveRooms: fixed(rooms, 3), Latitude: fixed(lat, 2), Longitude: fixed(lon, 2), Population: String(pop) },
      target: value(mean + normal(rng, 0, 0.45)),
      oracle: value(mean),
    };
  },
};

const HOURS_2011 = 365 * 24;
const bikeTime = (h: number) => new Date(Date.UTC(2011, 0, 1) + h * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
const bike: MiniTaskSpec = {
  name: 'bike-demand-mini',
  split: 'train',
  taskType: 'regression',
  metric: 'rmsle',
  target: 'count',
  idColumn: 'datetime',
  title: 'Bike sharing demand mini (count target)',
  description: 'Predict the number of bikes rented in an hour from the time, season, working day and weather. The target is a count, so the metric works on log counts.',
  predict: 'the number of rentals count (a non-negative number)',
  columns: [
    ['season', '1 = winter, 2 = spring, 3 = summer, 4 = autumn'],
    ['hour', 'hour of the day (0-23)'],
    ['holiday', '1 on public holidays'],
    ['workingday', '1 if neither weekend nor holiday'],
    ['weather', '1 = clear, 2 = mist, 3 = light rain or snow'],
    ['temp', 'temperature in Celsius'],
    ['humidity', 'relative humidity'],
    ['windspeed', 'wind speed'],
  ],
  trainRows: 300,
  testRows: 100,
  ids: (rng, count) => rng.shuffle(Array.from({ length: HOURS_2011 }, (_, h) => h)).slice(0, count).map(bikeTime),
  row: (rng, id) => {
    const d = new Date(`${id.replace(' ', 'T')}Z`);
    const month = d.getUTCMonth();
    const h = d.getUTCHours();
    const season = Math.floor(((month + 1) % 12) / 3) + 1;
    const holiday = bernoulli(rng, 0.03) ? 1 : 0;
    const weekday = d.getUTCDay();
    const working = weekday !== 0 && weekday !== 6 && !holiday ? 1 : 0;
    const weather = choice(rng, [1, 2, 3], [0.65, 0.28, 0.07]);
    const temp = normal(rng, [5, 15, 26, 14][season - 1]!, 3);
    const humidity = Math.round(clip(normal(rng, 62, 18), 10, 100));
    const wind = clip(normal(rng, 12, 6), 0, 45);
    const commute = Math.exp(-((h - 8) ** 2) / 4) * 1.6 + Math.exp(-((h - 17.5) ** 2) / 6) * 2.0;
    const day = (h >= 10 && h <= 20 ? 0.8 : 0) - (h <= 5 ? 1.2 : 0);
    const logMean = 1.5 + (working ? commute : 0.4 * commute) + day + 0.03 * (temp - 15) - 0.3 * (weather - 1) - 0.004 * (humidity - 60);
    const lambda = Math.exp(logMean);
    return {
      features: {
        season: String(season),
        hour: String(h),
        holiday: String(holiday),
        workingday: String(working),
        weather: String(weather),
        temp: fixed(temp, 2),
        humidity: String(humidity),
        windspeed: fixed(wind, 1),
      },
      target: String(poisson(rng, lambda)),
      oracle: fixed(lambda, 2),
    };
  },
};

const concrete: MiniTaskSpec = {
  name: 'concrete-mini',
  split: 'train',
  taskType: 'regression',
  metric: 'mae',
  target: 'Strength',
  idColumn: 'id',
  title: 'Concrete strength mini',
  description: 'Predict the compressive strength of concrete from its mixture and age. Strength grows with cement and (non-linearly) with age, and falls with water.',
  predict: 'the compressive strength Strength (MPa)',
  columns: [
    ['Cement', 'cement (kg per m³)'],
    ['Water', 'water (kg per m³)'],
    ['Superplasticizer', 'superplasticizer (kg per m³)'],
    ['CoarseAggregate', 'coarse aggregate (kg per m³)'],
    ['Age', 'age in days'],
  ],
  trainRows: 300,
  testRows: 100,
  idStart: 5439,
  row: (rng) => {
    const cement = uniform(rng, 100, 540);
    const water = uniform(rng, 120, 250);
    const sp = uniform(rng, 0, 20);
    const coarse = uniform(rng, 800, 1150);
    const age = choice(rng, [3, 7, 14, 28, 56, 90], [0.1, 0.15, 0.15, 0.35, 0.15, 0.1]);
    const mean = 8 + 0.085 * cement * (Math.log(age + 1) / Math.log(29)) - 0.11 * (water - 180) + 0.5 * sp;
    const value = (x: number) => fixed(clip(x, 2, 85), 2);
    return {
      features: { Cement: fixed(cement, 1), Water: fixed(water, 1), Superplasticizer: fixed(sp, 1), CoarseAggregate: fixed(coarse, 1), Age: String(age) },
      target: value(mean + normal(rng, 0, 4)),
      oracle: value(mean),
    };
  },
};

const insurance: MiniTaskSpec = {
  name: 'insurance-mini',
  split: 'train',
  taskType: 'regression',
  metric: 'rmse',
  target: 'charges',
  idColumn: 'id',
  title: 'Medical insurance charges mini (with outliers)',
  description: 'Predict yearly medical charges from age, sex, BMI, children, smoking and region. Smokers cost much more, especially with a high BMI, and a few claims are extreme outliers.',
  predict: 'the yearly charges',
  columns: [
    ['age', 'age in years'],
    ['sex', 'male or female'],
    ['bmi', 'body-mass index'],
    ['children', 'number of children covered'],
    ['smoker', 'yes or no'],
    ['region', 'northeast, northwest, southeast or southwest'],
  ],
  trainRows: 300,
  testRows: 100,
  idStart: 1,
  row: (rng) => {
    const age = rng.int(18, 64);
    const male = bernoulli(rng, 0.5);
    const bmi = clip(normal(rng, 30.5, 6), 16, 53);
    const children = choice(rng, [0, 1, 2, 3, 4], [0.43, 0.24, 0.18, 0.11, 0.04]);
    const smoker = bernoulli(rng, 0.2);
    const region = rng.pick(['northeast', 'northwest', 'southeast', 'southwest']);
    const base = 2500 + 260 * age + 400 * children + 40 * (bmi - 30) + (smoker ? 15000 + 1400 * Math.max(0, bmi - 30) : 0);
    const outlier = bernoulli(rng, 0.04) ? uniform(rng, 15000, 40000) : 0;
    const value = (x: number) => fixed(Math.max(1100, x), 2);
    return {
      features: { age: String(age), sex: male ? 'male' : 'female', bmi: fixed(bmi, 1), children: String(children), smoker: smoker ? 'yes' : 'no', region },
      target: value(base + normal(rng, 0, 3000) + outlier),
      oracle: value(base + 0.04 * 27500),
    };
  },
};

const energy: MiniTaskSpec = {
  name: 'energy-mini',
  split: 'test',
  taskType: 'regression',
  metric: 'rmse',
  target: 'consumption',
  idColumn: 'id',
  title: 'Building energy mini (weak signal)',
  description: 'Predict the daily energy consumption of a building from four anonymised sensor readings. Most of the variation is noise, so even a good model is only a little better than predicting the mean.',
  predict: 'the consumption',
  columns: [
    ['sensor_1', 'sensor reading'],
    ['sensor_2', 'sensor reading'],
    ['sensor_3', 'sensor reading'],
    ['sensor_4', 'sensor reading'],
  ],
  trainRows: 300,
  testRows: 100,
  idStart: 1000,
  row: (rng) => {
    const x = [normal(rng), normal(rng), normal(rng), normal(rng)];
    const mean = 50 + 4 * x[0]! + 2 * x[1]! * x[2]!;
    return {
      features: { sensor_1: fixed(x[0]!, 3), sensor_2: fixed(x[1]!, 3), sensor_3: fixed(x[2]!, 3), sensor_4: fixed(x[3]!, 3) },
      target: fixed(mean + normal(rng, 0, 6), 2),
      oracle: fixed(mean, 2),
    };
  },
};

const PROMOS = ['Bag Stuffers', 'Cash Register Handout', 'Daily Paper', 'Radio', 'TV'] as const;
const mediaCost: MiniTaskSpec = {
  name: 'media-cost-mini',
  split: 'test',
  taskType: 'regression',
  metric: 'rmsle',
  target: 'cost',
  idColumn: 'id',
  title: 'Media campaign cost mini',
  description: 'Predict the cost of a store\'s media campaign from the store and the promotion. Costs are positive and skewed, so the metric compares log costs.',
  predict: 'the campaign cost',
  columns: [
    ['store_sqft', 'store floor area (square feet)'],
    ['promotion', 'promotion channel'],
    ['florist', '1 if the store has a florist'],
    ['coffee_bar', '1 if the store has a coffee bar'],
    ['unit_sales', 'units sold (millions)'],
    ['total_children', 'children in the customer household'],
  ],
  trainRows: 300,
  testRows: 100,
  idStart: 360336,
  row: (rng) => {
    const sqft = rng.int(10000, 40000);
    const promo = rng.pick(PROMOS);
    const florist = bernoulli(rng, 0.5) ? 1 : 0;
    const coffee = bernoulli(rng, 0.55) ? 1 : 0;
    const units = rng.int(1, 6);
    const children = rng.int(0, 5);
    const promoEffect = { 'Bag Stuffers': -0.1, 'Cash Register Handout': 0, 'Daily Paper': 0.05, Radio: 0.15, TV: 0.3 }[promo];
    const logMean = 4.4 + 0.15 * florist + 0.1 * coffee - 0.00001 * (sqft - 25000) + 0.06 * units + promoEffect;
    return {
      features: { store_sqft: String(sqft), promotion: promo, florist: String(florist), coffee_bar: String(coffee), unit_sales: String(units), total_children: String(children) },
      target: fixed(Math.exp(logMean + normal(rng, 0, 0.25)), 3),
      oracle: fixed(Math.exp(logMean), 3),
    };
  },
};

/** The dsbench-mini tasks: six classification and six regression, 8 for training and 4 held out. */
export const MINI_TASKS: readonly MiniTaskSpec[] = [titanic, churn, studentOutcome, obesity, fraud, wine, housing, bike, concrete, insurance, energy, mediaCost];
