from portal.company import COMPANY


def company(request):
    return {"company": COMPANY}
