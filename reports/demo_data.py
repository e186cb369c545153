"""What the demo shop's history is made of: the fuller shelf, the suppliers, the customers and how they buy.

Plain data, read by reports.demo_history. Prices are illustrative Mumbai kirana prices of 2026 under
the GST slabs in force since 22 September 2025.
"""

from datetime import date

# The base catalogue (reports.demo.PRODUCTS) stays as the tests know it; a shop with a past stocks more.
MORE_CATEGORIES = {"Grocery": ["Spices", "Vegetables", "Bakery"]}

# name, sku, brand, category, unit, hsn, gst %, mrp, price, cost, opening qty (as reports.demo.PRODUCTS)
MORE_PRODUCTS = [
    ("Amul Taaza Milk 500 ml", "MILK-500", "Amul", "Dairy", "pcs", "0401", "0", "28", "28", "25", 40),
    ("Amul Masti Dahi 400 g", "CURD-400", "Amul", "Dairy", "pcs", "0403", "5", "35", "35", "29", 20),
    ("Farm Eggs (6)", "EGGS-6", "", "Dairy", "pcs", "0407", "0", "", "42", "35", 30),
    ("Britannia Bread 400 g", "BREAD-400", "Britannia", "Bakery", "pcs", "1905", "0", "45", "45", "38", 20),
    ("चीनी (Sugar)", "SUGAR", "", "Staples", "kg", "1701", "5", "", "46", "39", 60),
    ("चना दाल (Chana dal)", "DAL-CHANA", "", "Staples", "kg", "0713", "0", "", "95", "80", 30),
    ("मूंग दाल (Moong dal)", "DAL-MOONG", "", "Staples", "kg", "0713", "0", "", "120", "101", 25),
    ("पोहा (Poha)", "POHA", "", "Staples", "kg", "1904", "5", "", "60", "48", 25),
    ("Fortune Kachi Ghani Mustard Oil 1 l", "OIL-MUS-1L", "Fortune", "Oil & ghee", "pcs", "1514", "5", "185", "180",
     "150", 15),
    ("Amul Ghee 1 l", "GHEE-1L", "Amul", "Oil & ghee", "pcs", "0405", "5", "650", "640", "545", 8),
    ("Maggi 2-Minute Noodles 70 g", "MAGGI-70", "Maggi", "Snacks", "pcs", "1902", "5", "14", "14", "11.50", 120),
    ("Haldiram's Aloo Bhujia 200 g", "BHUJIA-200", "Haldiram's", "Snacks", "pcs", "2106", "5", "55", "55", "45", 30),
    ("Lay's Classic Salted 52 g", "LAYS-52", "Lay's", "Snacks", "pcs", "2005", "5", "20", "20", "16", 60),
    ("Britannia Good Day 200 g", "GOODDAY-200", "Britannia", "Snacks", "pcs", "1905", "5", "40", "40", "33", 40),
    ("Tata Tea Premium 500 g", "TEA-500", "Tata", "Beverages", "pcs", "0902", "5", "285", "275", "228", 15),
    ("Bru Instant Coffee 50 g", "BRU-50", "Bru", "Beverages", "pcs", "2101", "5", "175", "170", "140", 10),
    ("Thums Up 750 ml", "THUMSUP-750", "Thums Up", "Beverages", "pcs", "2202", "40", "45", "45", "30", 36),
    ("Bisleri Water 1 l", "BISLERI-1L", "Bisleri", "Beverages", "pcs", "2201", "5", "20", "20", "15", 48),
    ("Everest Turmeric Powder 100 g", "HALDI-100", "Everest", "Spices", "pcs", "0910", "5", "38", "38", "31", 25),
    ("MDH Garam Masala 100 g", "MASALA-100", "MDH", "Spices", "pcs", "0910", "5", "92", "90", "74", 15),
    ("Dettol Soap 75 g", "DETTOL-75", "Dettol", "Personal care", "pcs", "3401", "5", "45", "45", "37", 40),
    ("Clinic Plus Shampoo 175 ml", "SHAMPOO-175", "Clinic Plus", "Personal care", "pcs", "3305", "5", "110", "105",
     "86", 12),
    ("Vim Bar 200 g", "VIM-200", "Vim", "Household", "pcs", "3402", "18", "20", "20", "15", 40),
    ("Harpic Toilet Cleaner 500 ml", "HARPIC-500", "Harpic", "Household", "pcs", "3402", "18", "105", "102", "78",
     10),
    ("Good Knight Refill", "GOODKNIGHT", "Good Knight", "Household", "pcs", "3808", "18", "85", "85", "64", 15),
    ("Cycle Agarbatti", "AGARBATTI", "Cycle", "Household", "pcs", "3307", "5", "50", "50", "40", 20),
    ("प्याज़ (Onion)", "ONION", "", "Vegetables", "kg", "0703", "0", "", "40", "30", 50),
    ("आलू (Potato)", "POTATO", "", "Vegetables", "kg", "0701", "0", "", "30", "22", 50),
]

# How often a product lands in a basket, relative to the others (unlisted: 1).
POPULARITY = {
    "MILK-500": 12, "BREAD-400": 6, "EGGS-6": 4, "CURD-400": 4, "BUTTER-100G": 3, "PARLEG-250": 6, "MAGGI-70": 8,
    "SALT-1KG": 3, "SUGAR": 6, "ATTA-5KG": 3, "RICE-BASMATI": 4, "DAL-TOOR": 4, "ONION": 7, "POTATO": 6,
    "LAYS-52": 5, "BISLERI-1L": 4, "COKE-750": 3, "THUMSUP-750": 3, "OIL-SUN-1L": 3, "POHA": 3, "DAL-CHANA": 2,
    "VIM-200": 3, "DETTOL-75": 3, "GOODDAY-200": 3, "BHUJIA-200": 3, "TEA-500": 2, "HALDI-100": 2, "DAL-MOONG": 2,
    "SURF-1KG": 2, "COLGATE-200": 2, "AGARBATTI": 2, "OIL-MUS-1L": 2,
}

# Things bought together: a basket sometimes starts with one of these pairs (the insights find them again).
BASKET_PAIRS = [
    ("BREAD-400", "BUTTER-100G"), ("MAGGI-70", "COKE-750"), ("ATTA-5KG", "DAL-TOOR"), ("TEA-500", "SUGAR"),
    ("PARLEG-250", "MILK-500"), ("ONION", "POTATO"), ("POHA", "ONION"), ("LAYS-52", "THUMSUP-750"),
]

# Loose goods are weighed out in these amounts (kg), with these weights.
LOOSE_QUANTITIES = [("0.25", 2), ("0.5", 5), ("1", 8), ("2", 3), ("5", 1)]

# name, GSTIN, phone, categories supplied, weekdays of delivery (0 = Monday), paid in cash?
SUPPLIERS = [
    ("Balaji Traders", "27AAGFS2875Q1ZC", "9821034567", ["Staples", "Oil & ghee", "Spices"], (0, 3), False),
    ("Shree Ganesh Distributors", "27AAMFG5538L1ZU", "9821045678", ["Snacks", "Personal care", "Household"],
     (1, 4), False),
    ("Gokul Dairy Agency", "", "9867056789", ["Dairy", "Bakery"], (0, 1, 2, 3, 4, 5, 6), True),
    ("Western Beverages", "27AADCW6614R1ZM", "9821067890", ["Beverages"], (2, 5), False),
    ("Dadar Sabzi Mandi (Ganpat Mhatre)", "", "9769078901", ["Vegetables"], (0, 2, 4, 6), True),
]

# name, phone, credit limit, khata owed when the shop started keeping it in Galla, GSTIN, state
KHATA_CUSTOMERS = [
    ("Prakash Patil", "9820011001", 5000, 850, "", ""),
    ("सुनीता देवी (Sunita Devi)", "9820011002", 3000, 0, "", ""),
    ("Mohammed Shaikh", "9820011003", 4000, 1200, "", ""),
    ("Lakshmi Iyer", "9820011004", 6000, 0, "", ""),
    ("राजेश गुप्ता (Rajesh Gupta)", "9820011005", 8000, 2400, "", ""),
    ("Anita Kamble", "9819022006", 2500, 0, "", ""),
    ("Vijay Jadhav", "9819022007", 5000, 600, "", ""),
    ("Priya Deshmukh", "9819022008", 3000, 0, "", ""),
    ("Harish Nair", "9769033009", 4000, 0, "", ""),
    ("गीता शर्मा (Geeta Sharma)", "9769033010", 5000, 1500, "", ""),
    # Businesses that want a B2B tax invoice; the second is across the state border (IGST).
    ("Annapurna Caterers", "9833044011", 25000, 0, "27AAKFA4127C1ZU", "27"),
    ("Shah Provision Stores, Vapi", "9824055012", 20000, 0, "24ABJPS5531K1ZD", "24"),
]
REGULAR_CUSTOMERS = [
    ("Deepak Verma", "9892066013"), ("Kavita Joshi", "9892066014"), ("Sanjay Pawar", "9892066015"),
    ("फ़ातिमा ख़ान (Fatima Khan)", "9892066016"), ("Arvind Rao", "9892066017"), ("Neha Kulkarni", "9892066018"),
    ("सुरेश यादव (Suresh Yadav)", "9892066019"), ("Pooja Mehta", "9892066020"), ("Imran Qureshi", "9892066021"),
    ("Meena Pillai", "9892066022"), ("Rohit Chavan", "9892066023"), ("Asha Bhosale", "9892066024"),
]

# Relative number of bills per hour of the day (the shop is open 8:00 to 21:30): a morning and an evening peak.
HOUR_WEIGHTS = {8: 4, 9: 7, 10: 8, 11: 6, 12: 4, 13: 3, 14: 2, 15: 3, 16: 4, 17: 7, 18: 9, 19: 10, 20: 8, 21: 3}
# Monday .. Sunday
WEEKDAY_FACTORS = (0.9, 0.85, 0.95, 0.95, 1.05, 1.3, 1.4)
# Shopping rises in the days before a festival (dates are the main day; close enough for a demo).
FESTIVALS = {
    date(2025, 8, 27): "Ganesh Chaturthi", date(2025, 10, 20): "Diwali", date(2026, 3, 4): "Holi",
    date(2026, 9, 14): "Ganesh Chaturthi", date(2026, 11, 8): "Diwali", date(2027, 3, 22): "Holi",
    date(2027, 9, 4): "Ganesh Chaturthi", date(2027, 10, 29): "Diwali", date(2028, 3, 11): "Holi",
}
FESTIVAL_DAYS_BEFORE = 4
FESTIVAL_FACTOR = 1.6

# Payment methods of a bill without credit: cash mostly.
PAYMENT_WEIGHTS = {"cash": 64, "upi": 29, "card": 7}
# Monthly outgoings: (day of month, category, method, amount range, note)
MONTHLY_EXPENSES = [
    (1, "rent", "bank", (22000, 22000), "Shop rent"),
    (1, "salary", "upi", (11000, 11000), "Salary: Santosh (helper)"),
    (8, "electricity", "upi", (2600, 3900), "MSEDCL electricity bill"),
]
CANCEL_REASONS = ["Customer changed their mind", "Billed the wrong item", "Billed twice by mistake"]
RETURN_REASONS = ["Pack damaged", "Past its best-before date", "Wrong size bought", "Customer bought two by mistake"]
