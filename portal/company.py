"""Who we are and whom customers may turn to, as printed in the Code of Practice.

The ADR scheme shown here is the default; once complaints keep the scheme as data staff edit,
that record is what letters and pages use.
"""

COMPANY = {
    "name": "121 Communications",
    "address_lines": ["4 Firmin Avenue", "Boughton Monchelsea", "Maidstone", "Kent", "ME17 4NN"],
    "phone": "01622 474730",
    "email": "Brian@121com.co.uk",
    "sales_email": "info@121com.co.uk",
    "website": "www.121com.co.uk",
    "office_hours": "Monday to Friday, 9am to 5:30pm. Closed on weekends and bank holidays.",
    "call_charges": "Calls are charged at local rate.",
}

OFCOM = {
    "name": "Office of Communications (Ofcom)",
    "address_lines": ["Ofcom Contact Centre", "Riverside House", "2a Southwark Bridge Road", "London", "SE1 9HA"],
    "phone": "020 7981 3040",
    "fax": "020 7981 3334",
    "email": "contact@ofcom.org.uk",
    "website": "www.ofcom.org.uk",
}

OTELO = {
    "name": "Otelo (Office of the Telecommunications Ombudsman)",
    "postal_address_lines": ["PO Box 730", "Warrington", "WA4 6WU"],
    "office_address_lines": ["Wilderspool Park", "Greenall's Avenue", "Warrington", "WA4 6HL"],
    "phones": ["0845 050 1614", "01925 430 049"],
    "fax": "01925 430059",
    "email": "enquiries@otelo.org.uk",
    "website": "www.otelo.org.uk",
}

# The UK's data protection regulator, to whom anyone may complain about how we handle their data.
ICO = {
    "name": "Information Commissioner's Office (ICO)",
    "address_lines": ["Wycliffe House", "Water Lane", "Wilmslow", "Cheshire", "SK9 5AF"],
    "phone": "0303 123 1113",
    "website": "ico.org.uk",
}
